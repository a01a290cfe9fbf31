/* Cortex-M0+ bench program as a raw binary placed at the start of SRAM (0x20000000): every
   kernel once, then the combined checksum in r0 and BKPT #0 as the end marker. No vector table,
   no .data (the loader only copies the image; .bss follows it and is zeroed here). */
#include <stdint.h>
#include "kernels.h"

#ifndef ITERATIONS
#define ITERATIONS 1
#endif

extern uint32_t _sbss, _ebss;

__attribute__((section(".start"), noreturn, naked)) void _start(void)
{
    __asm__ volatile(
        "ldr r0, =_stack_top\n"
        "mov sp, r0\n"
        "bl bench_main\n"
        "bkpt 0\n"
        "b .\n");
}

uint32_t bench_main(void)
{
    for (uint32_t *p = &_sbss; p < &_ebss; p++) *p = 0;
    uint32_t sum = kernel_crc32(2u * ITERATIONS);
    sum = sum * 31u + kernel_sort(ITERATIONS);
    sum = sum * 31u + kernel_list(40u * ITERATIONS);
    sum = sum * 31u + kernel_calls(8u * ITERATIONS);
    sum = sum * 31u + kernel_loop(20000u * ITERATIONS);
    return sum;
}
