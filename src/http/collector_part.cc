#include "http/collector_part.h"

#include <map>

#include "http/exposition.h"

namespace failwatch::http {
namespace {

struct MergedFamily {
  const RenderedFamily* first = nullptr;
  std::vector<const RenderedFamily*> members;  // first included
};

}  // namespace

CollectorPart BuildCollectorPart(const Snapshot& snapshot,
                                 const std::set<std::string>& reserved,
                                 std::vector<std::string>* conflicts) {
  CollectorPart part;
  for (const auto& [key, s] : snapshot.targets) {
    if (s.rendered != nullptr) part.sources.push_back(s.rendered);
  }
  part.sources.push_back(RenderFamilies(FrameworkFamilies(snapshot)));

  std::map<std::string_view, MergedFamily> by_name;
  for (const auto& source : part.sources) {
    part.compressed &= source->compressed;
    for (const auto& f : source->families) {
      if (reserved.contains(f.name)) continue;
      MergedFamily& m = by_name[f.name];
      if (m.first == nullptr) {
        m.first = &f;
      } else if (m.first->type != f.type) {
        if (conflicts != nullptr) conflicts->push_back(f.name);
        continue;
      }
      m.members.push_back(&f);
    }
  }
  for (const auto& [name, m] : by_name) {
    part.run.Append(m.first->header);
    for (const auto* f : m.members) part.run.Append(f->samples);
  }
  return part;
}

}  // namespace failwatch::http
