/* Benchmark kernels shared by the Cortex-M0+/M3/M4 bench programs. Each returns a checksum so
   the compiler cannot drop the work, and so runs on different emulators can be compared. */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H
#include <stdint.h>

uint32_t kernel_crc32(uint32_t iterations);
uint32_t kernel_sort(uint32_t iterations);
uint32_t kernel_list(uint32_t iterations);
uint32_t kernel_calls(uint32_t iterations);
uint32_t kernel_loop(uint32_t iterations);

#endif
