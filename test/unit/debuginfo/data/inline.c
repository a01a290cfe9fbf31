/* Oracle-test source: nested inlining, a switch, and a loop, so line tables have many sequences. */
volatile unsigned sink;
static inline unsigned mix(unsigned a, unsigned b) { return (a ^ (b << 3)) + (a >> 2); }
static inline unsigned twice_mix(unsigned a) { return mix(a, a + 1) + mix(a + 2, a); }
unsigned pick(unsigned k) {
  switch (k & 3) {
  case 0: return twice_mix(k);
  case 1: return mix(k, 7);
  case 2: return k * 9;
  default: return 0;
  }
}
int main(void) {
  unsigned acc = 0;
  for (unsigned i = 0; i < 10; i++) acc += pick(i);
  sink = acc;
  for (;;) {}
}
void Reset_Handler(void) { main(); }
__attribute__((section(".vectors"))) void *const vectors[2] = { (void *)0x20001000, (void *)Reset_Handler };
