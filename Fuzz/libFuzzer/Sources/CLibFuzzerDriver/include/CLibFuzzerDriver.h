#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver entry (compiler-rt FuzzerInterface.h, LLVM 12 and later):
   runs the fuzzing loop over UserCb with libFuzzer's command-line options.
   Linked from libclang_rt.fuzzer by -sanitize=fuzzer. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
