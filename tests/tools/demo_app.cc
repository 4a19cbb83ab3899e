// The seed incident's service, small: consumes a Kafka topic with a consumer
// group that commits, writes every message into PostgreSQL through a NAIVE
// STICKY pool, and on a failed write sends the message to a dead-letter topic
// (--mode=dlt) or drops it (--mode=no-dlt).
//
// The pool behaves like HikariCP behind a JVM that cached DNS: N libpq
// connections opened at start to the address the endpoint resolved to at
// start; that address is never re-resolved; a connection is replaced (to the
// SAME address) only after a connection-level error (08*, 57P*, broken
// socket), never on SQLSTATE 25006 (read-only transaction). After a failover
// it keeps writing to the old node until it is restarted ("restart the pods").
//
//   demo_app --bootstrap-file=PATH | --brokers=LIST
//            --endpoint=db.lab.test:55432 [--dns-server=127.0.0.1:15353]
//            [--topic=orders] [--group=orders-consumer] [--dlt-topic=orders.DLT]
//            [--mode=dlt|no-dlt] [--pool-size=4] [--user=app] [--password=app-pw]
//            [--dbname=postgres] [--application-name=orders-api]
//            [--retries=3] [--retry-backoff-ms=200] [--stats-interval-ms=2000]
//            [--metrics-address=127.0.0.1:PORT]
//
// Logs one stats line per interval; with --metrics-address serves
// Prometheus text on GET /metrics (demo_app_* families).
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct Options {
  std::string brokers;
  std::string bootstrap_file;
  std::string endpoint = "db.lab.test:55432";
  std::string dns_server;  // ip:port; empty = system resolver
  std::string topic = "orders";
  std::string group = "orders-consumer";
  std::string dlt_topic = "orders.DLT";
  bool dlt = false;
  int pool_size = 4;
  std::string user = "app";
  std::string password = "app-pw";
  std::string dbname = "postgres";
  std::string application_name = "orders-api";
  int retries = 3;
  int retry_backoff_ms = 200;
  int stats_interval_ms = 2000;
  std::string metrics_address;
};

std::string Now() {
  char buf[64];
  auto t = std::chrono::system_clock::now();
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                t.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

template <typename... Args>
void Log(const char* fmt, Args... args) {
  std::fprintf(stderr, "%s demo_app: ", Now().c_str());
  if constexpr (sizeof...(Args) == 0) {
    std::fputs(fmt, stderr);
  } else {
    std::fprintf(stderr, fmt, args...);
  }
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

bool SplitHostPort(const std::string& s, std::string& host, int& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  host = s.substr(0, colon);
  port = std::atoi(s.substr(colon + 1).c_str());
  return !host.empty() && port > 0;
}

// Skips a (possibly compressed) DNS name; returns the offset after it or -1.
int SkipName(const unsigned char* msg, int len, int off) {
  while (off < len) {
    unsigned char c = msg[off];
    if (c == 0) return off + 1;
    if ((c & 0xC0) == 0xC0) return off + 2 <= len ? off + 2 : -1;
    off += 1 + c;
  }
  return -1;
}

// A records of `host`, asked from `server` (ip:port) or the system resolver.
std::vector<std::string> ResolveA(const std::string& host,
                                  const std::string& server) {
  in_addr literal{};
  if (inet_pton(AF_INET, host.c_str(), &literal) == 1) return {host};
  std::vector<std::string> out;
  struct __res_state st;
  std::memset(&st, 0, sizeof(st));
  if (res_ninit(&st) != 0) return out;
  if (!server.empty()) {
    std::string ip;
    int port = 53;
    if (!SplitHostPort(server, ip, port)) ip = server;
    st.nscount = 1;
    st.nsaddr_list[0].sin_family = AF_INET;
    st.nsaddr_list[0].sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &st.nsaddr_list[0].sin_addr);
  }
  unsigned char buf[1024];
  int n = res_nquery(&st, host.c_str(), ns_c_in, ns_t_a, buf, sizeof(buf));
  res_nclose(&st);
  if (n < 12) return out;
  int qd = (buf[4] << 8) | buf[5];
  int an = (buf[6] << 8) | buf[7];
  int off = 12;
  for (int i = 0; i < qd && off > 0; ++i) {
    off = SkipName(buf, n, off);
    if (off > 0) off += 4;
  }
  for (int i = 0; i < an && off > 0 && off < n; ++i) {
    off = SkipName(buf, n, off);
    if (off < 0 || off + 10 > n) break;
    int type = (buf[off] << 8) | buf[off + 1];
    int rdlen = (buf[off + 8] << 8) | buf[off + 9];
    off += 10;
    if (off + rdlen > n) break;
    if (type == ns_t_a && rdlen == 4) {
      char s[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, buf + off, s, sizeof(s));
      out.emplace_back(s);
    }
    off += rdlen;
  }
  return out;
}

struct Stats {
  std::mutex mu;
  long consumed = 0;
  long written = 0;
  long dead_lettered = 0;
  long dropped = 0;
  long write_attempts = 0;
  std::map<std::string, long> write_failures;  // by sqlstate
  std::map<std::string, long> written_by_node;
  long reconnects = 0;
  std::string last_error;
};

Stats g_stats;

// The naive sticky pool.
class StickyPool {
 public:
  StickyPool(const Options& o, std::string host, std::string address, int port)
      : o_(o), host_(std::move(host)), address_(std::move(address)),
        port_(port), conns_(static_cast<std::size_t>(o.pool_size), nullptr) {}
  ~StickyPool() {
    for (PGconn* c : conns_) {
      if (c) PQfinish(c);
    }
  }

  const std::string& address() const { return address_; }

  std::string Node() const { return address_ + ":" + std::to_string(port_); }

  int Open() {
    int ok = 0;
    for (auto& c : conns_) {
      if (!c || PQstatus(c) != CONNECTION_OK) Connect(c);
      if (c && PQstatus(c) == CONNECTION_OK) ok++;
    }
    return ok;
  }

  int Connected() const {
    int ok = 0;
    for (PGconn* c : conns_) ok += (c && PQstatus(c) == CONNECTION_OK) ? 1 : 0;
    return ok;
  }

  // One write attempt on the next connection. Returns "" or the SQLSTATE
  // (or "08006"-like code for a broken connection).
  std::string Write(const std::string& note, std::string& message) {
    PGconn*& c = conns_[next_++ % conns_.size()];
    if (!c || PQstatus(c) != CONNECTION_OK) {
      // HikariCP would create a replacement: to the cached address.
      Connect(c);
      if (!c || PQstatus(c) != CONNECTION_OK) {
        message = c ? PQerrorMessage(c) : "out of memory";
        return "08001";
      }
    }
    const char* params[1] = {note.c_str()};
    PGresult* r = PQexecParams(c, "INSERT INTO orders(note) VALUES ($1)", 1,
                               nullptr, params, nullptr, nullptr, 0);
    std::string code;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      code = s ? s : "08006";
      message = PQresultErrorMessage(r);
      if (message.empty()) message = PQerrorMessage(c);
    }
    PQclear(r);
    // Evict only on connection-level errors, never on 25006.
    if (!code.empty() && (code.starts_with("08") || code.starts_with("57P") ||
                          PQstatus(c) != CONNECTION_OK)) {
      PQfinish(c);
      c = nullptr;
    }
    return code;
  }

 private:
  void Connect(PGconn*& c) {
    if (c) {
      PQfinish(c);
      std::lock_guard<std::mutex> lock(g_stats.mu);
      g_stats.reconnects++;
    }
    std::string port = std::to_string(port_);
    const char* keys[] = {"host",     "hostaddr", "port",
                          "user",     "password", "dbname",
                          "application_name", "connect_timeout", "sslmode",
                          "options", nullptr};
    const char* values[] = {host_.c_str(),
                            address_.c_str(),
                            port.c_str(),
                            o_.user.c_str(),
                            o_.password.c_str(),
                            o_.dbname.c_str(),
                            o_.application_name.c_str(),
                            "2",
                            "disable",
                            "-c statement_timeout=3000",
                            nullptr};
    c = PQconnectdbParams(keys, values, 0);
  }

  const Options& o_;
  std::string host_;
  std::string address_;
  int port_;
  std::vector<PGconn*> conns_;
  std::size_t next_ = 0;
};

std::string ReadBootstrap(const std::string& path) {
  for (int i = 0; i < 100 && !g_stop; ++i) {
    std::ifstream f(path);
    std::string line;
    if (f && std::getline(f, line) && !line.empty()) return line;
    usleep(100 * 1000);
  }
  return "";
}

std::string Escape(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out;
}

std::string RenderMetrics(const Options& o, const std::string& node,
                          int connected) {
  std::lock_guard<std::mutex> lock(g_stats.mu);
  std::ostringstream m;
  m << "# HELP demo_app_info The demo app's mode and the node its pool pinned at start.\n"
    << "# TYPE demo_app_info gauge\n"
    << "demo_app_info{application_name=\"" << Escape(o.application_name)
    << "\",mode=\"" << (o.dlt ? "dlt" : "no-dlt") << "\",pinned_node=\""
    << Escape(node) << "\"} 1\n"
    << "# HELP demo_app_messages_total Messages consumed, by outcome.\n"
    << "# TYPE demo_app_messages_total counter\n"
    << "demo_app_messages_total{outcome=\"written\"} " << g_stats.written << "\n"
    << "demo_app_messages_total{outcome=\"dead_lettered\"} "
    << g_stats.dead_lettered << "\n"
    << "demo_app_messages_total{outcome=\"dropped\"} " << g_stats.dropped << "\n"
    << "# HELP demo_app_consumed_total Messages consumed from the topic.\n"
    << "# TYPE demo_app_consumed_total counter\n"
    << "demo_app_consumed_total " << g_stats.consumed << "\n"
    << "# HELP demo_app_write_attempts_total INSERTs tried (retries included).\n"
    << "# TYPE demo_app_write_attempts_total counter\n"
    << "demo_app_write_attempts_total " << g_stats.write_attempts << "\n"
    << "# HELP demo_app_write_failures_total Failed INSERTs by SQLSTATE.\n"
    << "# TYPE demo_app_write_failures_total counter\n";
  for (const auto& [code, n] : g_stats.write_failures) {
    m << "demo_app_write_failures_total{sqlstate=\"" << Escape(code) << "\"} "
      << n << "\n";
  }
  m << "# HELP demo_app_pool_reconnects_total Pool connections replaced (same address).\n"
    << "# TYPE demo_app_pool_reconnects_total counter\n"
    << "demo_app_pool_reconnects_total " << g_stats.reconnects << "\n"
    << "# HELP demo_app_pool_connections Open pool connections.\n"
    << "# TYPE demo_app_pool_connections gauge\n"
    << "demo_app_pool_connections{node=\"" << Escape(node) << "\"} "
    << connected << "\n";
  return m.str();
}

// A minimal blocking HTTP server: GET anything -> the metrics text.
void ServeMetrics(int fd, const Options& o, const std::string& node,
                  const std::atomic<int>& connected) {
  while (!g_stop) {
    int c = accept(fd, nullptr, nullptr);
    if (c < 0) {
      if (g_stop) break;
      usleep(10 * 1000);
      continue;
    }
    timeval tv{2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char req[2048];
    ssize_t got = recv(c, req, sizeof(req) - 1, 0);
    (void)got;
    std::string body = RenderMetrics(o, node, connected.load());
    std::string resp =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < resp.size()) {
      ssize_t w = send(c, resp.data() + sent, resp.size() - sent, MSG_NOSIGNAL);
      if (w <= 0) break;
      sent += static_cast<std::size_t>(w);
    }
    close(c);
  }
}

int ListenOn(const std::string& address) {
  std::string ip;
  int port = 0;
  if (!SplitHostPort(address, ip, port)) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SetConf(rd_kafka_conf_t* conf, const char* k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof(err)) !=
      RD_KAFKA_CONF_OK) {
    Log("kafka conf %s: %s", k, err);
    return false;
  }
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: demo_app (--bootstrap-file=PATH|--brokers=LIST) "
               "--endpoint=HOST:PORT [--dns-server=IP:PORT] [--mode=dlt|no-dlt] "
               "[--pool-size=N] [--topic=T] [--group=G] [--dlt-topic=T] "
               "[--user=U] [--password=P] [--dbname=D] [--application-name=A] "
               "[--retries=N] [--retry-backoff-ms=MS] [--stats-interval-ms=MS] "
               "[--metrics-address=IP:PORT]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto val = [&](std::string_view key) -> std::optional<std::string> {
      if (a.rfind(key, 0) == 0) return std::string(a.substr(key.size()));
      return std::nullopt;
    };
    if (auto v = val("--brokers=")) o.brokers = *v;
    else if (auto v1 = val("--bootstrap-file=")) o.bootstrap_file = *v1;
    else if (auto v2 = val("--endpoint=")) o.endpoint = *v2;
    else if (auto v3 = val("--dns-server=")) o.dns_server = *v3;
    else if (auto v4 = val("--topic=")) o.topic = *v4;
    else if (auto v5 = val("--group=")) o.group = *v5;
    else if (auto v6 = val("--dlt-topic=")) o.dlt_topic = *v6;
    else if (auto v7 = val("--mode=")) {
      if (*v7 == "dlt") o.dlt = true;
      else if (*v7 == "no-dlt") o.dlt = false;
      else return Usage();
    } else if (a == "--dlt") o.dlt = true;
    else if (a == "--no-dlt") o.dlt = false;
    else if (auto v8 = val("--pool-size=")) o.pool_size = std::atoi(v8->c_str());
    else if (auto v9 = val("--user=")) o.user = *v9;
    else if (auto v10 = val("--password=")) o.password = *v10;
    else if (auto v11 = val("--dbname=")) o.dbname = *v11;
    else if (auto v12 = val("--application-name=")) o.application_name = *v12;
    else if (auto v13 = val("--retries=")) o.retries = std::atoi(v13->c_str());
    else if (auto v14 = val("--retry-backoff-ms=")) o.retry_backoff_ms = std::atoi(v14->c_str());
    else if (auto v15 = val("--stats-interval-ms=")) o.stats_interval_ms = std::atoi(v15->c_str());
    else if (auto v16 = val("--metrics-address=")) o.metrics_address = *v16;
    else return Usage();
  }
  if ((o.brokers.empty() && o.bootstrap_file.empty()) || o.pool_size <= 0 ||
      o.retries < 1) {
    return Usage();
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  if (o.brokers.empty()) o.brokers = ReadBootstrap(o.bootstrap_file);
  if (o.brokers.empty()) {
    Log("no brokers (bootstrap file %s empty or missing)", o.bootstrap_file.c_str());
    return 1;
  }

  std::string host;
  int port = 0;
  if (!SplitHostPort(o.endpoint, host, port)) return Usage();
  // Resolve ONCE, like a JVM with a cached DNS answer.
  std::vector<std::string> addrs;
  for (int i = 0; i < 50 && addrs.empty() && !g_stop; ++i) {
    addrs = ResolveA(host, o.dns_server);
    if (addrs.empty()) usleep(200 * 1000);
  }
  if (addrs.empty()) {
    Log("cannot resolve %s", host.c_str());
    return 1;
  }
  StickyPool pool(o, host, addrs.front(), port);
  for (int i = 0; i < 50 && !g_stop; ++i) {
    if (pool.Open() == o.pool_size) break;
    usleep(200 * 1000);
  }
  Log("start: endpoint %s resolved to %s (cached for the life of the process); "
      "pool of %d connections to %s open=%d; mode=%s; topic=%s group=%s",
      o.endpoint.c_str(), pool.address().c_str(), o.pool_size,
      pool.Node().c_str(), pool.Connected(), o.dlt ? "dlt" : "no-dlt",
      o.topic.c_str(), o.group.c_str());

  std::atomic<int> connected{pool.Connected()};
  int metrics_fd = -1;
  std::thread metrics_thread;
  const std::string node = pool.Node();
  if (!o.metrics_address.empty()) {
    metrics_fd = ListenOn(o.metrics_address);
    if (metrics_fd < 0) {
      Log("cannot listen on %s", o.metrics_address.c_str());
      return 1;
    }
    metrics_thread = std::thread(ServeMetrics, metrics_fd, std::cref(o),
                                 std::cref(node), std::cref(connected));
  }

  char err[512];
  rd_kafka_conf_t* cconf = rd_kafka_conf_new();
  bool ok = SetConf(cconf, "bootstrap.servers", o.brokers) &&
            SetConf(cconf, "group.id", o.group) &&
            SetConf(cconf, "client.id", o.application_name) &&
            SetConf(cconf, "auto.offset.reset", "earliest") &&
            SetConf(cconf, "enable.auto.commit", "true") &&
            SetConf(cconf, "auto.commit.interval.ms", "1000") &&
            SetConf(cconf, "session.timeout.ms", "6000") &&
            SetConf(cconf, "heartbeat.interval.ms", "1000") &&
            SetConf(cconf, "log_level", "3");
  if (!ok) return 1;
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof(err));
  if (!consumer) {
    Log("consumer: %s", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subs, o.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t serr = rd_kafka_subscribe(consumer, subs);
  rd_kafka_topic_partition_list_destroy(subs);
  if (serr) {
    Log("subscribe: %s", rd_kafka_err2str(serr));
    return 1;
  }

  rd_kafka_t* producer = nullptr;
  if (o.dlt) {
    rd_kafka_conf_t* pconf = rd_kafka_conf_new();
    if (!SetConf(pconf, "bootstrap.servers", o.brokers) ||
        !SetConf(pconf, "client.id", o.application_name + "-dlt") ||
        !SetConf(pconf, "linger.ms", "5") || !SetConf(pconf, "log_level", "3")) {
      return 1;
    }
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof(err));
    if (!producer) {
      Log("producer: %s", err);
      return 1;
    }
  }

  auto last_stats = std::chrono::steady_clock::now();
  long last_consumed = 0;
  while (!g_stop) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer, 100);
    if (producer) rd_kafka_poll(producer, 0);
    if (msg) {
      if (msg->err) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          Log("consume: %s", rd_kafka_message_errstr(msg));
        }
      } else {
        std::string note(static_cast<const char*>(msg->payload), msg->len);
        {
          std::lock_guard<std::mutex> lock(g_stats.mu);
          g_stats.consumed++;
        }
        std::string code, message;
        for (int attempt = 0; attempt < o.retries && !g_stop; ++attempt) {
          if (attempt > 0) usleep(static_cast<useconds_t>(o.retry_backoff_ms) * 1000);
          code = pool.Write(note, message);
          std::lock_guard<std::mutex> lock(g_stats.mu);
          g_stats.write_attempts++;
          if (code.empty()) break;
          g_stats.write_failures[code]++;
          auto nl = message.find('\n');
          g_stats.last_error = code + " " + message.substr(0, nl);
        }
        std::lock_guard<std::mutex> lock(g_stats.mu);
        if (code.empty()) {
          g_stats.written++;
          g_stats.written_by_node[pool.Node()]++;
        } else if (producer) {
          rd_kafka_vu_t vus[5];
          vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
          vus[0].u.cstr = o.dlt_topic.c_str();
          vus[1].vtype = RD_KAFKA_VTYPE_KEY;
          vus[1].u.mem = {msg->key, msg->key_len};
          vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
          vus[2].u.mem = {msg->payload, msg->len};
          vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
          vus[3].u.i = RD_KAFKA_MSG_F_COPY;
          vus[4].vtype = RD_KAFKA_VTYPE_HEADER;
          vus[4].u.header = {"sqlstate", code.c_str(),
                             static_cast<ssize_t>(code.size())};
          rd_kafka_error_t* perror_ = rd_kafka_produceva(producer, vus, 5);
          rd_kafka_resp_err_t perr = RD_KAFKA_RESP_ERR_NO_ERROR;
          if (perror_) {
            perr = rd_kafka_error_code(perror_);
            rd_kafka_error_destroy(perror_);
          }
          if (perr) {
            Log("dlt produce: %s; message dropped", rd_kafka_err2str(perr));
            g_stats.dropped++;
          } else {
            g_stats.dead_lettered++;
          }
        } else {
          g_stats.dropped++;  // no DLT: the message is gone
        }
      }
      rd_kafka_message_destroy(msg);
    }
    connected = pool.Connected();
    auto now = std::chrono::steady_clock::now();
    if (now - last_stats >= std::chrono::milliseconds(o.stats_interval_ms)) {
      last_stats = now;
      std::lock_guard<std::mutex> lock(g_stats.mu);
      std::string fails;
      for (const auto& [c, n] : g_stats.write_failures) {
        fails += (fails.empty() ? "" : ",") + c + ":" + std::to_string(n);
      }
      Log("stats consumed=%ld (+%ld) written=%ld dead_lettered=%ld dropped=%ld "
          "failures={%s} pool=%s open=%d reconnects=%ld last_error=\"%s\"",
          g_stats.consumed, g_stats.consumed - last_consumed, g_stats.written,
          g_stats.dead_lettered, g_stats.dropped, fails.c_str(),
          pool.Node().c_str(), connected.load(), g_stats.reconnects,
          g_stats.last_error.c_str());
      last_consumed = g_stats.consumed;
    }
  }

  Log("stopping: consumed=%ld written=%ld dead_lettered=%ld dropped=%ld",
      g_stats.consumed, g_stats.written, g_stats.dead_lettered, g_stats.dropped);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (producer) {
    rd_kafka_flush(producer, 2000);
    rd_kafka_destroy(producer);
  }
  if (metrics_fd >= 0) {
    shutdown(metrics_fd, SHUT_RDWR);
    close(metrics_fd);
  }
  if (metrics_thread.joinable()) metrics_thread.join();
  return 0;
}
