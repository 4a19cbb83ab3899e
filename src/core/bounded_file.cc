#include "core/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace failwatch {
namespace {

Error Bad(std::string why) {
  return MakeError(ErrorKind::kInvalid, "file", std::move(why));
}

const char* KindOf(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> ReadBoundedFile(const std::string& path,
                                    std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer must not block; it is
  // refused below anyway. Regular files ignore the flag.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return Bad(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Bad(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Bad("is a directory");
  if (!S_ISREG(st.st_mode)) {
    return Bad(std::string("is not a regular file (") + KindOf(st.st_mode) +
               ")");
  }
  const std::string too_big =
      "exceeds " + std::to_string(max_bytes) + " bytes";
  if (st.st_size > 0 && static_cast<std::size_t>(st.st_size) > max_bytes) {
    return Bad(too_big);
  }
  std::string out;
  // /proc and some FUSE files report size 0: read until EOF, bounded.
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Bad(std::strerror(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Bad(too_big);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace failwatch
