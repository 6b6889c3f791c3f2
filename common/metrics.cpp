#include "common/metrics.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace oauth::metrics {
namespace {

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);  // shortest form that round-trips
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

std::string series(std::string_view name, std::string_view labels, std::string_view extra = {}) {
  std::string out(name);
  if (labels.empty() && extra.empty()) return out;
  out.push_back('{');
  out.append(labels);
  if (!labels.empty() && !extra.empty()) out.push_back(',');
  out.append(extra);
  out.push_back('}');
  return out;
}

} // namespace

void histogram::observe(double seconds) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  auto micros = seconds <= 0 ? 0 : static_cast<std::uint64_t>(seconds * 1e6);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

registry::family& registry::family_for(std::string_view name, std::string_view help, std::string_view type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), family{}).first;
    it->second.help = help;
    it->second.type = type;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + std::string(name) + " registered with two types");
  }
  return it->second;
}

counter& registry::get_counter(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, "counter");
  auto& slot = f.counters[std::string(labels)];
  if (!slot) slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::get_gauge(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, "gauge");
  auto& slot = f.gauges[std::string(labels)];
  if (!slot) slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::get_histogram(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, "histogram");
  auto& slot = f.histograms[std::string(labels)];
  if (!slot) slot = std::make_unique<histogram>();
  return *slot;
}

void registry::add_callback_gauge(std::string_view name, std::string_view help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, "gauge");
  f.callback = std::move(read);
}

std::string registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters) out += series(name, labels) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges) out += series(name, labels) + " " + std::to_string(g->value()) + "\n";
    if (f.callback) out += name + " " + format_double(f.callback()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < histogram::bounds.size(); ++i) {
        cumulative += h->bucket(i);
        out += series(name + "_bucket", labels, "le=\"" + format_double(histogram::bounds[i]) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += series(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(h->count()) + "\n";
      out += series(name + "_sum", labels) + " " + format_double(h->sum()) + "\n";
      out += series(name + "_count", labels) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

registry& global() {
  static registry instance;
  return instance;
}

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

} // namespace oauth::metrics
