#!/usr/bin/env bash
# Rebuilds the bench programs (committed, so `npm run bench` needs no cross toolchain).
#
#   bash bench/workloads/build.sh            build with the default sizes
#   SCALE=2 bash bench/workloads/build.sh    twice the iterations everywhere
#
# Outputs, next to this script:
#   m3/<kernel>.elf, m4/<kernel>.elf   one kernel each, semihosting exit (Cortex-M3 / M4F)
#   m3/<kernel>.x10.elf, m4/...        the same with ten times the iterations (for the much faster
#                                      peer, whose start-up would otherwise dominate its time)
#   m3/empty.elf, m4/empty.elf         exits at once (an emulator's start-up cost)
#   m4/crc32-systick.elf               CRC32 with SysTick interrupts at 10 kHz of a 16 MHz core
#   m0plus/bench.bin                   every kernel, raw image for SRAM at 0x20000000, ends in BKPT #0
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-arm-none-eabi-gcc}
OBJCOPY=${OBJCOPY:-arm-none-eabi-objcopy}
SCALE=${SCALE:-1}
export LC_ALL=C SOURCE_DATE_EPOCH=0
cd "$HERE"

# Iterations per kernel for the ELF programs: about 100 million instructions each at SCALE=1.
declare -A ITERATIONS=(
  [crc32]=$((5000 * SCALE))
  [sort]=$((2200 * SCALE))
  [list]=$((38000 * SCALE))
  [calls]=$((28000 * SCALE))
  [loop]=$((20000000 * SCALE))
)
COMMON=(-O2 -g0 -ffreestanding -nostdlib -nostartfiles -fno-builtin -ffunction-sections -Wall -Wextra -Werror
  -Wl,--gc-sections -Wl,--build-id=none -ffile-prefix-map="$HERE"=.)

mkdir -p m3 m4 m0plus
for core in m3 m4; do
  case $core in
    m3) cpu=(-mcpu=cortex-m3 -mthumb) ;;
    m4) cpu=(-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard) ;;
  esac
  for kernel in "${!ITERATIONS[@]}"; do
    "$CC" "${cpu[@]}" "${COMMON[@]}" -DKERNEL="kernel_$kernel" -DITERATIONS="${ITERATIONS[$kernel]}u" \
      -T elf.ld elf-main.c kernels.c -lgcc -o "$core/$kernel.elf"
    "$CC" "${cpu[@]}" "${COMMON[@]}" -DKERNEL="kernel_$kernel" -DITERATIONS="$((10 * ITERATIONS[$kernel]))u" \
      -T elf.ld elf-main.c kernels.c -lgcc -o "$core/$kernel.x10.elf"
  done
  "$CC" "${cpu[@]}" "${COMMON[@]}" -DKERNEL=kernel_loop -DITERATIONS=0u -T elf.ld elf-main.c kernels.c -lgcc \
    -o "$core/empty.elf"
done
# SysTick every 1600 cycles: 10 kHz on the 16 MHz generic Cortex-M4.
"$CC" -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard "${COMMON[@]}" -DKERNEL=kernel_crc32 \
  -DITERATIONS="${ITERATIONS[crc32]}u" -DSYSTICK_RELOAD=1599u -T elf.ld elf-main.c kernels.c -lgcc -o m4/crc32-systick.elf

"$CC" -mcpu=cortex-m0plus -mthumb "${COMMON[@]}" -DITERATIONS="$((100 * SCALE))u" -T raw.ld raw-main.c kernels.c \
  -lgcc -o m0plus/bench.elf
"$OBJCOPY" -O binary m0plus/bench.elf m0plus/bench.bin
rm m0plus/bench.elf
ls -l m3 m4 m0plus
