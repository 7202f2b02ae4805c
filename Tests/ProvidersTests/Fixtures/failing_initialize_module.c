/* A PKCS#11 "module" whose C_Initialize fails: C_GetFunctionList succeeds and
 * returns a table whose C_Initialize returns CKR_GENERAL_ERROR. The tests
 * build it with `cc -shared -fPIC` to check that the framework reports the
 * failure clearly and registers nothing. */
#include <string.h>
#include <p11-kit/pkcs11.h>

static CK_RV failing_initialize(void *args) {
    (void)args;
    return CKR_GENERAL_ERROR;
}

static CK_FUNCTION_LIST table;

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    memset(&table, 0, sizeof table);
    table.version.major = 2;
    table.version.minor = 40;
    table.C_Initialize = failing_initialize;
    *list = &table;
    return CKR_OK;
}
