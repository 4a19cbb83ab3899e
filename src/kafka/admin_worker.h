// The Kafka admin worker: a child process that makes the coordinator admin
// calls (ListConsumerGroupOffsets, ListConsumerGroups, DescribeConsumerGroups)
// for one cluster, so that librdkafka 2.0.2's use-after-free in
// rd_kafka_admin_coord_request()'s error path (#3663/#4605: an abort on
// `eonce->refcnt > 0`, or a librdkafka main thread blocked forever on the
// freed mutex) kills or wedges only the worker. The daemon
// (admin_worker_client.h) restarts it; see docs/reference/kafka.md.
//
// The daemon starts it as `<its own binary> --kafka-admin-worker` with the
// socket on fd 0; the cluster's properties (secrets included) come as the
// first frame on the socket, never in argv or the environment.
#pragma once

#include <optional>

namespace failwatch {

inline constexpr const char* kAdminWorkerFlag = "--kafka-admin-worker";

// For main(): runs the worker and returns its exit code when argv asks for
// it, nullopt otherwise.
std::optional<int> MaybeRunKafkaAdminWorker(int argc, char** argv);

// Serves requests on `fd` until the daemon closes it (or dies).
int RunKafkaAdminWorker(int fd);

}  // namespace failwatch
