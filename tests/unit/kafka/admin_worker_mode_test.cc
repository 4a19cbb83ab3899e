// Makes this test binary usable as the Kafka admin worker: collectors in
// these tests start /proc/self/exe --kafka-admin-worker, as the daemon does,
// and gtest's own main() must not run in that child. So the worker mode is
// taken before main(), from a static initializer.
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "kafka/admin_worker.h"

namespace {

const bool kWorkerMode = [] {
  // The flag is the first argument: 4 KiB of the command line is plenty.
  char buf[4096];
  std::string all;
  if (int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC); fd >= 0) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) all.assign(buf, static_cast<std::size_t>(n));
    ::close(fd);
  }
  std::vector<std::string> args;
  std::string cur;
  for (char c : all) {
    if (c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (args.size() >= 2 && args[1] == failwatch::kAdminWorkerFlag) {
    std::_Exit(failwatch::RunKafkaAdminWorker(0));
  }
  return false;
}();

}  // namespace
