// /status: the daemon's state as JSON for humans and scripts.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/snapshot.h"
#include "http/site_source.h"

namespace failwatch::http {

// Adds top-level fields to /status (the app adds "checks", "failovers").
using StatusDecorator = std::function<void(nlohmann::json&)>;

nlohmann::json TargetStatusJson(const TargetState& state);

nlohmann::json BuildStatusJson(const SiteSource& app, const Snapshot& snapshot);

// Never throws: invalid UTF-8 (from a backend's error text) is replaced.
std::string DumpJson(const nlohmann::json& json);

}  // namespace failwatch::http
