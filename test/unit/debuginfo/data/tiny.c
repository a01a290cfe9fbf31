/* Small firmware-like program for debug-info tests: an inlined helper, a loop, a static. */
static volatile int counter;
static inline __attribute__((always_inline)) int twice(int x) { return x * 2; }
struct point { int x, y; };
int scale(struct point *p, int k) {
  int s = 0;
  for (int i = 0; i < k; i++) {
    s += twice(p->x) + p->y;
  }
  return s;
}
int main(void) {
  struct point p = { 3, 4 };
  counter = scale(&p, 5);
  while (1) { counter++; }
}
void Reset_Handler(void) { main(); }
__attribute__((section(".vectors"))) void *const vectors[2] = { (void *)0x20001000, (void *)Reset_Handler };
