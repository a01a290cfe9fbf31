// A large synthetic CMSIS-SVD file shaped like a vendor's: `peripherals` peripherals of 24 registers
// with 16 enumerated fields each, every third one derivedFrom the one before (as vendor files derive
// GPIOB from GPIOA). 200 peripherals make about 15 MB. Shared by the parser test and the bench.

export function largeSvdText(peripherals = 200): string {
  const fields = Array.from({ length: 16 }, (_, i) => `<field><name>F${i}</name><description>field ${i} &amp; more</description><bitOffset>${2 * i}</bitOffset><bitWidth>2</bitWidth><enumeratedValues><enumeratedValue><name>A</name><value>0</value></enumeratedValue><enumeratedValue><name>B</name><value>1</value></enumeratedValue></enumeratedValues></field>`).join('\n');
  const registers = Array.from({ length: 24 }, (_, i) => `<register><name>R${i}</name><description>register ${i}</description><addressOffset>0x${(4 * i).toString(16)}</addressOffset><resetValue>0</resetValue><fields>${fields}</fields></register>`).join('\n');
  const body = Array.from({ length: peripherals }, (_, i) => i % 3 === 2
    ? `<peripheral derivedFrom="P${i - 1}"><name>P${i}</name><baseAddress>0x${(0x40000000 + 0x400 * i).toString(16)}</baseAddress></peripheral>`
    : `<peripheral><name>P${i}</name><baseAddress>0x${(0x40000000 + 0x400 * i).toString(16)}</baseAddress><registers>${registers}</registers></peripheral>`).join('\n');
  return '<?xml version="1.0"?>\n<!-- test -->\n<device schemaVersion="1.3"><name>TEST</name>'
    + '<size>32</size><access>read-write</access><resetValue>0</resetValue><resetMask>0xFFFFFFFF</resetMask>'
    + `<peripherals>${body}</peripherals></device>`;
}
