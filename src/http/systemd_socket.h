// --web.systemd-socket: the listening sockets systemd hands over with
// socket activation (LISTEN_FDS/LISTEN_PID), read with libsystemd's
// sd_listen_fds so the protocol details stay systemd's (libsystemd is
// dlopen()ed on that path only: see systemd_socket.cc).
#pragma once

#include <vector>

#include "core/result.h"

namespace failwatch::http {

// The inherited listening TCP sockets (fd 3 onward), close-on-exec set.
// An error (code "systemd_socket") when none were passed or one is not a
// listening stream socket.
Result<std::vector<int>> SystemdListenFds();

}  // namespace failwatch::http
