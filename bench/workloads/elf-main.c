/* Cortex-M3/M4 bench program: a vector table, a reset handler that zeroes .bss, one kernel
   (KERNEL, ITERATIONS given by the build script), and a semihosting exit. The checksum is left
   in bench_result for whoever wants to compare runs. With SYSTICK_RELOAD defined, SysTick
   interrupts every SYSTICK_RELOAD + 1 core cycles while the kernel runs. */
#include <stdint.h>
#include "kernels.h"

#ifndef KERNEL
#error "build with -DKERNEL=kernel_crc32 (or another kernel) and -DITERATIONS=n"
#endif

extern uint32_t _sbss, _ebss, _stack_top;
volatile uint32_t bench_result;
volatile uint32_t bench_ticks;

void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

__attribute__((section(".vectors"), used))
static const void *const vectors[16] = {
    &_stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    [15] = SysTick_Handler,
};

void SysTick_Handler(void)
{
    bench_ticks++;
}

static void semihosting_exit(uint32_t reason)
{
    register uint32_t r0 __asm__("r0") = 0x18; /* SYS_EXIT */
    register uint32_t r1 __asm__("r1") = reason;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void Fault_Handler(void)
{
    semihosting_exit(0x20023); /* ADP_Stopped_RunTimeErrorUnknown */
    for (;;) {}
}

void Reset_Handler(void)
{
    for (uint32_t *p = &_sbss; p < &_ebss; p++) *p = 0;
#ifdef SYSTICK_RELOAD
    *(volatile uint32_t *)0xE000E014 = SYSTICK_RELOAD; /* SYST_RVR */
    *(volatile uint32_t *)0xE000E018 = 0;              /* SYST_CVR */
    *(volatile uint32_t *)0xE000E010 = 7;              /* SYST_CSR: processor clock, TICKINT, ENABLE */
#endif
    bench_result = KERNEL(ITERATIONS);
    semihosting_exit(0x20026); /* ADP_Stopped_ApplicationExit: exit code 0 */
    for (;;) {}
}
