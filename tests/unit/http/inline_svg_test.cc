#include "http/inline_svg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace failwatch::http {
namespace {

const WallTime kT0 = WallTime(std::chrono::seconds(1'700'000'000));
WallTime At(double s) {
  return kT0 + std::chrono::duration_cast<WallTime::duration>(
                   std::chrono::duration<double>(s));
}

std::size_t Count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

FailoverTimeline Timeline() {
  FailoverTimeline t;
  t.database = "orders<script>";
  t.promoted_at = At(0);
  t.steps = {{kStepPromoted, At(0)}, {kStepDnsSwitched, At(20)}};
  return t;
}

TEST(TimelineSvgTest, ReachedStepsAreMarksTheRestWaits) {
  const std::string svg = TimelineSvg(Timeline(), At(40));
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(Count(svg, "<circle"), 2u);
  EXPECT_NE(svg.find("dns_switched +20s"), std::string::npos);
  // 20 s of a 40 s axis: halfway along the usable width (20 + 600 / 2).
  EXPECT_NE(svg.find("cx=\"320.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("waiting: pgbouncer_moved, apps_converged"),
            std::string::npos);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("orders&lt;script&gt;"), std::string::npos);
}

TEST(TimelineSvgTest, ConvergedWithoutPgBouncerWaitsForNothing) {
  FailoverTimeline t = Timeline();
  t.steps.push_back({kStepAppsConverged, At(76)});
  t.state = FailoverTimeline::State::kConverged;
  const std::string svg = TimelineSvg(t, At(100));
  EXPECT_EQ(Count(svg, "<circle"), 3u);
  EXPECT_EQ(svg.find("waiting"), std::string::npos) << svg;
  EXPECT_NE(svg.find("apps_converged +76s"), std::string::npos);
}

// Seen in the lab: promoted at +0 s and pgbouncer_moved at +5 s on a 2 min
// axis drew their labels on top of each other, and the first label was
// clipped by the left edge.
TEST(TimelineSvgTest, StepsSecondsApartGetTheirOwnLabelRows) {
  FailoverTimeline t = Timeline();
  t.steps = {{kStepPromoted, At(0)},
             {kStepDnsSwitched, At(5)},
             {kStepPgBouncerMoved, At(5)}};
  const std::string svg = TimelineSvg(t, At(120));
  std::vector<std::string> ys;
  for (auto p = svg.find("<text x="); p != std::string::npos;
       p = svg.find("<text x=", p + 1)) {
    const auto y = svg.find(" y=\"", p);
    ys.push_back(svg.substr(y, svg.find('"', y + 4) - y));
  }
  ASSERT_EQ(ys.size(), 4u) << svg;  // three marks and the waiting line
  std::sort(ys.begin(), ys.end());
  EXPECT_EQ(std::unique(ys.begin(), ys.end()), ys.end()) << svg;
  EXPECT_NE(svg.find("text-anchor=\"start\">promoted +0s"), std::string::npos)
      << svg;
}

TEST(SparklineSvgTest, ScalesPointsIntoTheBox) {
  EXPECT_EQ(SparklineSvg({{At(0), 1}}, "lag"), "");
  const std::string svg =
      SparklineSvg({{At(0), 0}, {At(5), 50}, {At(10), 100}}, "lag <1>", 100,
                   22);
  EXPECT_NE(svg.find("points=\"0.0,21.0 50.0,11.0 100.0,1.0\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<title>lag &lt;1&gt;</title>"), std::string::npos);
}

}  // namespace
}  // namespace failwatch::http
