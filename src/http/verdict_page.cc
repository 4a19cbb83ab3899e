#include "http/verdict_page.h"

#include "health/health_format.h"
#include "health/verdict.h"
#include "http/inline_svg.h"
#include "http/status_json.h"
#include "http/status_page.h"

namespace failwatch::http {
namespace {

const char* RowClass(VerdictState s) {
  switch (s) {
    case VerdictState::kOk:
      return "ok";
    case VerdictState::kAtRisk:
      return "risk";
    case VerdictState::kDegraded:
      return "degraded";
    case VerdictState::kDown:
      return "fail";
  }
  return "pending";
}

const char* RowClass(const CheckResult& c) {
  return RowClass(VerdictContribution(c.status, c.tier));
}

// Per check: what to do about it, in the runbook that ships with the
// release (an anchor link: the page itself loads nothing external).
std::string RunbookLink(const std::string& check) {
  return "<a href=\"" + std::string(kRunbookUrl) + "#" + HtmlEscape(check) +
         "\">runbook</a>";
}

std::vector<std::pair<WallTime, double>> LagHistory(const nlohmann::json& e) {
  std::vector<std::pair<WallTime, double>> out;
  auto it = e.find("lag_history");
  if (it == e.end() || !it->is_array()) return out;
  for (const auto& p : *it) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() ||
        !p[1].is_number()) {
      continue;
    }
    const auto at = std::chrono::duration_cast<WallTime::duration>(
        std::chrono::duration<double>(p[0].get<double>()));
    out.emplace_back(WallTime(at), p[1].get<double>());
  }
  return out;
}

// One row per consumer group the consumer_lag check judges, ok or not,
// with its lag over failwatch's own recent samples.
std::string ConsumerGroupsSection(const Verdict& v) {
  std::string rows;
  for (const auto& c : v.checks) {
    if (c.check != "consumer_lag") continue;
    const auto history = LagHistory(c.evidence);
    rows += "<tr class=\"" + std::string(RowClass(c)) + "\"><td>" +
            HtmlEscape(c.target) + "</td><td>" +
            SparklineSvg(history, "lag of " + c.target + ", messages") +
            "</td><td>" + HtmlEscape(c.reason) + "</td></tr>\n";
  }
  if (rows.empty()) return "";
  return "<h2>Consumer groups</h2>\n<table>\n<tr><th>Group</th>"
         "<th>Lag (recent)</th><th>Verdict</th></tr>\n" +
         rows + "</table>\n";
}

// A failing check, or one about to change (hysteresis pending).
std::string CheckRow(const CheckResult& c, WallTime now) {
  std::string status = CheckStatusName(c.status);
  const char* cls = RowClass(c);
  if (c.pending) {
    // Hysteresis: the condition holds but not yet for long enough.
    status += std::string(" \u2192 ") + CheckStatusName(c.pending->status);
    if (c.pending->effective_at > now) {
      status += " in " + FormatAgo(now, c.pending->effective_at);
    }
    cls = "pending";
  }
  // Every row shown is failing or about to: say what it would mean.
  status += std::string(" (") + CheckTierName(c.tier) + ")";
  return "<tr class=\"" + std::string(cls) + "\"><td>" + HtmlEscape(c.check) +
         "</td><td>" + HtmlEscape(c.target) + "</td><td>" + HtmlEscape(status) +
         "</td><td>" +
         HtmlEscape(c.since == WallTime{}
                        ? ""
                        : FormatUtc(c.since) + " (" + FormatAgo(c.since, now) +
                              " ago)") +
         "</td><td>" + HtmlEscape(c.reason) + "</td><td>" +
         RunbookLink(c.check) + "</td></tr>\n";
}

// Checks that are ok and settled are only counted, so what needs attention
// is not buried among them.
std::string ChecksSection(const Verdict& v, WallTime now) {
  std::string html =
      "<h2>Checks</h2>\n<table>\n<tr><th>Check</th><th>Target</th>"
      "<th>Status</th><th>Since</th><th>Reason</th><th></th></tr>\n";
  std::size_t ok_count = 0;
  for (const auto& c : v.checks) {
    if (c.status == CheckStatus::kOk && !c.pending) {
      ++ok_count;
      continue;
    }
    html += CheckRow(c, now);
  }
  html += "<tr class=\"ok\"><td colspan=\"6\">" + std::to_string(ok_count) +
          " checks ok</td></tr>\n</table>\n";
  return html;
}

std::string FailoverRows(const FailoverTimeline& f, WallTime now) {
  std::string steps;
  for (const auto& s : f.steps) {
    if (!steps.empty()) steps += " &rarr; ";
    steps += HtmlEscape(s.step) + " " + HtmlEscape(FormatClock(s.at));
  }
  return "<tr><td>" + HtmlEscape(f.database) + "</td><td>" +
         HtmlEscape(f.old_primary) + "</td><td>" + HtmlEscape(f.new_primary) +
         "</td><td>" + HtmlEscape(FailoverStateName(f.state)) + "</td><td>" +
         steps + "</td><td>" + HtmlEscape(Join(f.waiting_for, "; ")) +
         "</td></tr>\n<tr><td colspan=\"6\">" + TimelineSvg(f, now) +
         "</td></tr>\n";
}

std::string FailoversSection(const Verdict& v, WallTime now) {
  if (v.failovers.empty()) return "";
  std::string html =
      "<h2>Failovers</h2>\n<table>\n<tr><th>Database</th><th>From</th>"
      "<th>To</th><th>State</th><th>Steps</th><th>Waiting for</th></tr>\n";
  for (const auto& f : v.failovers) html += FailoverRows(f, now);
  html += "</table>\n";
  return html;
}

}  // namespace

Response RenderVerdictResponse(const Snapshot& snapshot) {
  auto verdict = FindVerdict(snapshot);
  nlohmann::json body;
  Response r;
  r.content_type = "application/json";
  if (!verdict) {
    body = {{"status", "unknown"},
            {"degraded", nullptr},
            {"headline", "not evaluated yet"}};
    r.status = 503;
  } else {
    body["status"] = VerdictStateName(verdict->status);
    body["degraded"] = verdict->degraded;
    body["at_risk"] = verdict->status == VerdictState::kAtRisk;
    body["headline"] = verdict->Headline();
    body["evaluated_at"] = TimeJson(verdict->evaluated_at);
    nlohmann::json failing = nlohmann::json::array();
    for (const auto& c : verdict->checks) {
      if (c.status != CheckStatus::kOk) failing.push_back(CheckResultToJson(c));
    }
    body["failing_checks"] = std::move(failing);
    r.status = verdict->degraded ? 503 : 200;
  }
  r.body = DumpJson(body) + "\n";
  return r;
}

std::string RenderVerdictSection(const Snapshot& snapshot, WallTime now) {
  auto verdict = FindVerdict(snapshot);
  if (!verdict) {
    return "<p class=\"banner pending\">Verdict: not evaluated yet</p>\n";
  }
  return "<p class=\"banner " + std::string(RowClass(verdict->status)) + "\">" +
         HtmlEscape(verdict->Headline()) + "</p>\n" +
         ChecksSection(*verdict, now) + ConsumerGroupsSection(*verdict) +
         FailoversSection(*verdict, now);
}

}  // namespace failwatch::http
