/* A PKCS#11 "module" whose function list is mostly NULL: C_GetFunctionList
 * succeeds and C_Initialize returns CKR_OK, but C_GetInfo and the rest are
 * missing. Swift imports the table's entries as implicitly unwrapped
 * optionals, so calling a NULL one would crash the process; the framework
 * must refuse the module with a clear error instead. */
#include <string.h>
#include <p11-kit/pkcs11.h>

static CK_RV ok_initialize(void *args) {
    (void)args;
    return CKR_OK;
}

static CK_RV ok_finalize(void *reserved) {
    (void)reserved;
    return CKR_OK;
}

static CK_FUNCTION_LIST table;

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    memset(&table, 0, sizeof table);
    table.version.major = 2;
    table.version.minor = 40;
    table.C_Initialize = ok_initialize;
    table.C_Finalize = ok_finalize;
    *list = &table;
    return CKR_OK;
}
