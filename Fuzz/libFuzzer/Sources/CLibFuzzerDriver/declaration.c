/* The target holds only the declaration of LLVMFuzzerRunDriver (include/); a C
   target needs one source file. */
#include "CLibFuzzerDriver.h"
