#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>

#include "CProcessShims.h"

int CProcessShims_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int CProcessShims_mkstemp_cloexec(char *template_path) { return mkostemp(template_path, O_CLOEXEC); }

int CProcessShims_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
