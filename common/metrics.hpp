#pragma once
// Prometheus metrics: counters, gauges and latency histograms, rendered in the text
// exposition format (version 0.0.4). Lookups take a lock; hot paths keep the returned
// references (they stay valid for the registry's life) and only touch atomics.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::metrics {

class counter {
public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> value_{0};
};

// Latency histogram in seconds with fixed buckets from 0.5 ms to 10 s.
class histogram {
public:
  static constexpr std::array<double, 14> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1.0,   2.5,   5.0,  10.0};
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6; }
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

private:
  std::array<std::atomic<std::uint64_t>, bounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

class registry {
public:
  // labels: Prometheus label text without braces, e.g. R"(route="/oauth/token",code="2xx")".
  counter& get_counter(std::string_view name, std::string_view help, std::string_view labels = {});
  gauge& get_gauge(std::string_view name, std::string_view help, std::string_view labels = {});
  histogram& get_histogram(std::string_view name, std::string_view help, std::string_view labels = {});
  // A gauge computed when scraped (pool sizes, key counts).
  void add_callback_gauge(std::string_view name, std::string_view help, std::function<double()> read);

  std::string render() const;

private:
  struct family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<counter>> counters;
    std::map<std::string, std::unique_ptr<gauge>> gauges;
    std::map<std::string, std::unique_ptr<histogram>> histograms;
    std::function<double()> callback;
  };
  family& family_for(std::string_view name, std::string_view help, std::string_view type);

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
};

// The process-wide registry that /metrics renders.
registry& global();

// Escapes a label value for the exposition format.
std::string escape_label(std::string_view value);

} // namespace oauth::metrics
