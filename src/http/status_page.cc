#include "http/status_page.h"

#include <cstdio>

#include "core/version.h"
#include "http/time_format.h"
#include "http/verdict_page.h"

namespace failwatch::http {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderStatusPage(const Snapshot& snapshot,
                             std::string_view metrics_path) {
  const std::string metrics = HtmlEscape(metrics_path);
  std::string html;
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"refresh\" content=\"5\">\n"
      "<title>failwatch</title>\n<style>\n"
      "body{font-family:sans-serif;margin:1.5em}\n"
      "table{border-collapse:collapse}\n"
      "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}\n"
      ".ok{background:#c8f7c5}.fail{background:#f7c5c5}"
      ".pending{background:#eee}.degraded{background:#f7e3a1}"
      ".risk{background:#c5dcf7}\n"
      ".banner{font-size:1.2em;padding:.6em;border:1px solid #999}\n"
      "</style></head><body>\n<h1>failwatch " +
      HtmlEscape(kVersion) + "</h1>\n<p><a href=\"" + metrics +
      "\">Metrics</a> | <a href=\"/status\">Status (JSON)</a> | "
      "<a href=\"/healthz\">Liveness</a> | <a href=\"/readyz\">Readiness</a> | "
      "<a href=\"/verdict\">Verdict</a></p>\n" +
      RenderVerdictSection(snapshot, std::chrono::system_clock::now()) +
      "<h2>Targets</h2>\n<table>\n<tr><th>Collector</th><th>Target</th><th>State</th>"
      "<th>Last sample</th><th>Duration</th><th>Last error</th></tr>\n";
  for (const auto& [key, s] : snapshot.targets) {
    const char* cls = !s.sampled ? "pending" : s.success() ? "ok" : "fail";
    const char* state = !s.sampled ? "PENDING" : s.success() ? "OK" : "FAIL";
    char duration[32];
    std::snprintf(duration, sizeof(duration), "%.3fs", s.last_duration_seconds);
    html += "<tr class=\"" + std::string(cls) + "\"><td>" +
            HtmlEscape(key.kind) + "</td><td>" + HtmlEscape(key.target) +
            "</td><td>" + state + "</td><td>" +
            (s.sampled ? FormatRfc3339(s.last_sample_time) : "-") +
            "</td><td>" + (s.sampled ? duration : "-") + "</td><td>" +
            (s.error ? HtmlEscape(s.error->ToString()) : "") + "</td></tr>\n";
  }
  if (snapshot.targets.empty()) {
    html += "<tr><td colspan=\"6\">No targets configured.</td></tr>\n";
  }
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace failwatch::http
