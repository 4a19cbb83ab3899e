// Small formatting helpers shared by the checks, the verdict and the logs:
// times as users read them at 3 a.m. (UTC, explicit 'Z') and address lists.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"

namespace failwatch {

// "2023-11-14T22:13:20.250Z"; "" for the epoch (never/unknown).
std::string FormatUtc(WallTime t);
// "22:13:20Z": for one-line reasons, where the date is noise.
std::string FormatClock(WallTime t);
// FormatUtc as JSON, null for the epoch.
nlohmann::json TimeJson(WallTime t);
// Whole seconds, rounded down, never negative: "41 s".
std::string FormatAgo(WallTime then, WallTime now);

std::string Join(const std::vector<std::string>& items,
                 const std::string& sep = ", ");

// "1 connection", "4 connections": reasons are read as sentences.
std::string CountOf(long long n, const std::string& noun);

// The host part of "ip:port", "[v6]:port" or "host:port".
std::string HostOfAddress(const std::string& address);

}  // namespace failwatch
