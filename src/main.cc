#include "app/cli.h"
#include "core/memory_release.h"
#include "kafka/admin_worker.h"

int main(int argc, char** argv) {
  failwatch::ConfigureAllocator();
  // The Kafka admin worker is this binary in a hidden mode (see
  // kafka/admin_worker.h); it must not parse the daemon's flags.
  if (auto rc = failwatch::MaybeRunKafkaAdminWorker(argc, argv)) return *rc;
  return failwatch::RunCli(argc, argv);
}
