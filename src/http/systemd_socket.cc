#include "http/systemd_socket.h"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <string>

namespace failwatch::http {

Result<std::vector<int>> SystemdListenFds() {
  // unset_environment=1: children (none today) must not take them again.
  int n = sd_listen_fds(1);
  if (n < 0) {
    return MakeError(ErrorKind::kInvalid, "systemd_socket",
                     std::string("--web.systemd-socket: ") + std::strerror(-n));
  }
  if (n == 0) {
    return MakeError(ErrorKind::kInvalid, "systemd_socket",
                     "--web.systemd-socket: no socket passed by systemd "
                     "(LISTEN_FDS/LISTEN_PID unset or for another process)");
  }
  std::vector<int> fds;
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) {
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
      return MakeError(ErrorKind::kInvalid, "systemd_socket",
                       "--web.systemd-socket: fd " + std::to_string(fd) +
                           " is not a listening stream socket");
    }
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace failwatch::http
