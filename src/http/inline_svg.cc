#include "http/inline_svg.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <array>

#include "http/status_page.h"

namespace failwatch::http {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 96;
constexpr int kLeft = 20;
constexpr int kRight = 20;
constexpr int kAxisY = 40;
constexpr int kWaitingY = 90;  // one line under the marks, never over them

constexpr std::array<const char*, 4> kSteps = {
    kStepPromoted, kStepDnsSwitched, kStepPgBouncerMoved, kStepAppsConverged};
// One text row per step (two above the axis, two below): steps seconds
// apart sit at nearly the same x, so shared rows made their labels overlap.
constexpr std::array<int, 4> kLabelY = {kAxisY - 12, kAxisY + 18, kAxisY - 24,
                                        kAxisY + 30};

std::string Mark(double x, std::size_t step, const std::string& label,
                 double after_s, const char* colour) {
  // Labels near an end grow inward so the SVG's edge does not clip them.
  const char* anchor = "middle";
  double text_x = x;
  if (x < kLeft + 50) {
    anchor = "start";
    text_x = x - 5;
  } else if (x > kWidth - kRight - 50) {
    anchor = "end";
    text_x = x + 5;
  }
  return fmt::format(
      "<circle cx=\"{:.1f}\" cy=\"{}\" r=\"5\" fill=\"{}\"/>"
      "<text x=\"{:.1f}\" y=\"{}\" font-size=\"10\" text-anchor=\"{}\">"
      "{} +{:.0f}s</text>",
      x, kAxisY, colour, text_x, kLabelY[step % kLabelY.size()], anchor,
      HtmlEscape(label), after_s);
}

}  // namespace

std::string TimelineSvg(const FailoverTimeline& t, WallTime now) {
  WallTime end = now;
  for (const auto& s : t.steps) end = std::max(end, s.at);
  const double span = std::max(1.0, ToSeconds(end - t.promoted_at));
  const double usable = kWidth - kLeft - kRight;
  std::string svg = fmt::format(
      "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"failover timeline "
      "of {}\"><line x1=\"{}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" "
      "stroke=\"#555\"/>",
      kWidth, kHeight, HtmlEscape(t.database), kLeft, kAxisY, kLeft + usable,
      kAxisY);
  std::vector<std::string> waiting;
  for (std::size_t i = 0; i < kSteps.size(); ++i) {
    const char* step = kSteps[i];
    const FailoverStep* s = t.Find(step);
    if (s == nullptr) {
      // pgbouncer_moved only exists for databases with PgBouncers.
      if (std::string(step) != kStepPgBouncerMoved ||
          t.state != FailoverTimeline::State::kConverged) {
        waiting.push_back(step);
      }
      continue;
    }
    const double after = ToSeconds(s->at - t.promoted_at);
    const double x = kLeft + usable * std::clamp(after / span, 0.0, 1.0);
    const char* colour =
        std::string(step) == kStepAppsConverged ? "#2a8a2a" : "#2a5db0";
    svg += Mark(x, i, step, after, colour);
  }
  if (!waiting.empty()) {
    std::string list;
    for (const auto& w : waiting) list += (list.empty() ? "" : ", ") + w;
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#a33\">"
        "waiting: {}</text>",
        kLeft, kWaitingY, HtmlEscape(list));
  }
  return svg + "</svg>";
}

std::string SparklineSvg(const std::vector<std::pair<WallTime, double>>& pts,
                         const std::string& title, int width, int height) {
  if (pts.size() < 2) return "";
  const WallTime t0 = pts.front().first;
  const double span = std::max(1e-3, ToSeconds(pts.back().first - t0));
  double hi = 0;
  for (const auto& p : pts) hi = std::max(hi, p.second);
  if (hi <= 0) hi = 1;
  std::string path;
  for (const auto& [t, v] : pts) {
    const double x = width * std::clamp(ToSeconds(t - t0) / span, 0.0, 1.0);
    const double y = (height - 2) * (1.0 - std::clamp(v / hi, 0.0, 1.0)) + 1;
    path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "" : " ", x, y);
  }
  return fmt::format(
      "<svg class=\"sparkline\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{}\" height=\"{}\"><title>{}</title><polyline fill=\"none\" "
      "stroke=\"#b05a2a\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
      width, height, HtmlEscape(title), path);
}

}  // namespace failwatch::http
