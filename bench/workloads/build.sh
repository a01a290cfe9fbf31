#!/usr/bin/env bash
# Rebuilds the bench programs (committed, so `npm run bench` needs no cross toolchain).
#
#   bash bench/workloads/build.sh            build with the default sizes
#   SCALE=2 bash bench/workloads/build.sh    twice the iterations everywhere
#
# Outputs, next to this script:
#   m3/<kernel>.elf, m4/<kernel>.elf   one kernel each, semihosting exit (Cortex-M3 / M4F)
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
for kernel in "${!ITERATIONS[@]}"; do
  for core in m3 m4; do
    case $core in
      m3) cpu=(-mcpu=cortex-m3 -mthumb) ;;
      m4) cpu=(-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard) ;;
    esac
    "$CC" "${cpu[@]}" "${COMMON[@]}" -DKERNEL="kernel_$kernel" -DITERATIONS="${ITERATIONS[$kernel]}u" \
      -T elf.ld elf-main.c kernels.c -lgcc -o "$core/$kernel.elf"
  done
done

"$CC" -mcpu=cortex-m0plus -mthumb "${COMMON[@]}" -DITERATIONS="$((20 * SCALE))u" -T raw.ld raw-main.c kernels.c \
  -lgcc -o m0plus/bench.elf
"$OBJCOPY" -O binary m0plus/bench.elf m0plus/bench.bin
rm m0plus/bench.elf
ls -l m3 m4 m0plus
