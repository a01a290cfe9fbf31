// NUCLEO-F411RE (ST user manual UM1724): the user LED LD2 (green) on PA5, lit when PA5 is high;
// the blue user button B1 on PC13, which pulls it to ground when pressed (an external pull-up holds
// it high otherwise); USART2 on PA2 (TX) / PA3 (RX) goes to the ST-LINK's virtual COM port.
// Written as the JSON a user's board.json would hold, and validated like one.

export const nucleoF411reJson = {
  id: 'nucleo-f411re',
  name: 'NUCLEO-F411RE',
  chip: 'stm32f411re',
  drawing: 'nucleo-f411re.svg',
  parts: [
    { type: 'led', id: 'LD2', label: 'LD2 (user LED)', pin: 'PA5', color: '#35e04a', polarity: 'active-high' },
    { type: 'button', id: 'B1', label: 'B1 USER', pin: 'PC13', polarity: 'active-low', key: 'b' },
    { type: 'uart-terminal', id: 'VCP', label: 'Virtual COM port (USART2)', uart: 'USART2', tx: 'PA2', rx: 'PA3' },
  ],
} as const;
