// Reproduces librdkafka 2.0.2's abort in coordinator admin requests
// (rd_kafka_enq_once_del_source_return: "eonce->refcnt > 0", librdkafka
// #3663/#4605, fixed upstream by PR #5397) against the in-process mock
// cluster, which does not implement DescribeGroups.
//
// Path (rdkafka_admin.c / rdkafka_coord.c of 2.0.2): the coordinator is
// found, rd_kafka_admin_coord_request() calls the DescribeGroups request
// builder, which fails (API unsupported by the broker); the error path frees
// the admin op and with it the last reference of its eonce, then returns the
// error to rd_kafka_coord_req_fsm(), which calls rd_kafka_coord_req_fail():
// that enqueues a dummy reply whose opaque is the freed eonce, and
// rd_kafka_admin_coord_response_parse() locks and asserts on freed memory.
// Depending on what the freed block holds then, the librdkafka main thread
// aborts (the assertion), blocks forever on the freed mutex (the "wedged
// handle": no later call answers, rd_kafka_destroy hangs) or goes on.
//
//   kafka_admin_abort_repro [--calls=N] [--op=describe|offsets]
//                           [--timeout-ms=T]
// Prints one line per call; exits 0 when every call answered, 3 when one
// got no answer in 5 s (wedged). An abort ends the process with SIGABRT.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int Arg(int argc, char** argv, const char* name, int def) {
  const std::size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
      return std::atoi(argv[i] + n + 1);
    }
  }
  return def;
}

bool Has(int argc, char** argv, const char* text) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], text) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = Arg(argc, argv, "--calls", 20);
  const int timeout_ms = Arg(argc, argv, "--timeout-ms", 1000);
  const bool offsets = Has(argc, argv, "--op=offsets");
  char errstr[512];
  rd_kafka_conf_t* mconf = rd_kafka_conf_new();
  rd_kafka_conf_set(mconf, "log_level", "0", errstr, sizeof(errstr));
  rd_kafka_t* mrk =
      rd_kafka_new(RD_KAFKA_PRODUCER, mconf, errstr, sizeof(errstr));
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(mrk, 3);
  rd_kafka_mock_topic_create(mc, "orders", 3, 1);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers",
                    rd_kafka_mock_cluster_bootstraps(mc), errstr,
                    sizeof(errstr));
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
  rd_kafka_t* rk =
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  const char* group = "g1";
  for (int i = 0; i < calls; ++i) {
    rd_kafka_AdminOptions_t* o =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, errstr,
                                              sizeof(errstr));
    if (offsets) {
      rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(l, "orders", 0);
      rd_kafka_ListConsumerGroupOffsets_t* one =
          rd_kafka_ListConsumerGroupOffsets_new(group, l);
      rd_kafka_ListConsumerGroupOffsets(rk, &one, 1, o, q);
      rd_kafka_ListConsumerGroupOffsets_destroy(one);
      rd_kafka_topic_partition_list_destroy(l);
    } else {
      rd_kafka_DescribeConsumerGroups(rk, &group, 1, o, q);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
    if (ev == nullptr) {
      std::printf("call=%d result=no_answer\n", i);
      std::fflush(stdout);
      std::_Exit(3);  // rd_kafka_destroy would hang on a wedged handle
    }
    std::printf("call=%d result=answered error=\"%s\"\n", i,
                rd_kafka_event_error_string(ev) != nullptr
                    ? rd_kafka_event_error_string(ev)
                    : "");
    std::fflush(stdout);
    rd_kafka_event_destroy(ev);
  }
  std::_Exit(0);
}
