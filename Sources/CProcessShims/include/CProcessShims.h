#ifndef CPROCESSSHIMS_H
#define CPROCESSSHIMS_H

#include <spawn.h>

// glibc's GNU extensions, which Swift's Glibc module (built without
// _GNU_SOURCE) does not declare; defined in shims.c, compiled with it.

/// pipe2(fds, O_CLOEXEC): both ends closed on exec from the start, so a child
/// another thread spawns meanwhile never inherits them.
int CProcessShims_pipe_cloexec(int fds[2]);

/// mkostemp(template, O_CLOEXEC), for the same reason.
int CProcessShims_mkstemp_cloexec(char *template_path);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes
/// every descriptor from `from` on, so it inherits none of ours.
int CProcessShims_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
