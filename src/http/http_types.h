// The HTTP layer's view of a request and a response, independent of
// the server library, so routing and every page can be tested without a socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace failwatch::http {

struct Request {
  std::string method;           // "GET", "HEAD", ...
  std::string path;             // without the query string
  std::string accept_encoding;  // header value, empty when absent
  std::string authorization;    // header value, empty when absent
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra headers (Allow, WWW-Authenticate, Content-Encoding). The server
  // adds Content-Type, Content-Length and Cache-Control itself.
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

}  // namespace failwatch::http
