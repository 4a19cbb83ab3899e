#include "http/systemd_socket.h"

#include <dlfcn.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <string>

namespace failwatch::http {
namespace {

// libsystemd is opened here, when --web.systemd-socket asks for it, instead
// of being linked: linked, every failwatch maps it and what it needs
// (libgcrypt, libgpg-error, liblzma, libcap) for these two calls, ~0.6 MiB
// of RSS (bench/footprint.sh). The calls stay libsystemd's own.
struct Libsystemd {
  decltype(&sd_listen_fds) listen_fds = nullptr;
  decltype(&sd_is_socket) is_socket = nullptr;
  std::string error;
};

Libsystemd OpenLibsystemd() {
  Libsystemd lib;
  // Never closed: one handle for the process's life.
  void* handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    lib.error = why != nullptr ? why : "dlopen failed";
    return lib;
  }
  lib.listen_fds = reinterpret_cast<decltype(&sd_listen_fds)>(
      dlsym(handle, "sd_listen_fds"));
  lib.is_socket =
      reinterpret_cast<decltype(&sd_is_socket)>(dlsym(handle, "sd_is_socket"));
  if (lib.listen_fds == nullptr || lib.is_socket == nullptr) {
    lib.error = "libsystemd.so.0 lacks sd_listen_fds/sd_is_socket";
  }
  return lib;
}

}  // namespace

Result<std::vector<int>> SystemdListenFds() {
  const Libsystemd sd = OpenLibsystemd();
  if (!sd.error.empty()) {
    return MakeError(ErrorKind::kInvalid, "systemd_socket",
                     "--web.systemd-socket: " + sd.error);
  }
  // unset_environment=1: children (none today) must not take them again.
  int n = sd.listen_fds(1);
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
    if (sd.is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
      return MakeError(ErrorKind::kInvalid, "systemd_socket",
                       "--web.systemd-socket: fd " + std::to_string(fd) +
                           " is not a listening stream socket");
    }
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace failwatch::http
