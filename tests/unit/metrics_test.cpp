#include "common/metrics.hpp"

#include <doctest/doctest.h>

using namespace oauth::metrics;

TEST_CASE("counters, gauges and histograms render in Prometheus text format") {
  registry r;
  r.get_counter("http_requests_total", "Requests served.", R"(route="/a",code="2xx")").inc(3);
  r.get_counter("http_requests_total", "Requests served.", R"(route="/a",code="4xx")").inc();
  r.get_gauge("connections", "Open connections.").set(5);
  auto& h = r.get_histogram("latency_seconds", "Latency.", R"(route="/a")");
  h.observe(0.0007);
  h.observe(0.2);
  h.observe(20);
  auto text = r.render();
  CHECK(text.find("# TYPE http_requests_total counter\n") != std::string::npos);
  CHECK(text.find("http_requests_total{route=\"/a\",code=\"2xx\"} 3\n") != std::string::npos);
  CHECK(text.find("http_requests_total{route=\"/a\",code=\"4xx\"} 1\n") != std::string::npos);
  CHECK(text.find("connections 5\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.0005\"} 0\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.25\"} 2\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/a\",le=\"10\"} 2\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("latency_seconds_count{route=\"/a\"} 3\n") != std::string::npos);
}

TEST_CASE("the same name and labels give the same counter") {
  registry r;
  auto& a = r.get_counter("x_total", "x", "k=\"v\"");
  auto& b = r.get_counter("x_total", "x", "k=\"v\"");
  CHECK(&a == &b);
  CHECK_THROWS(r.get_gauge("x_total", "x"));
  CHECK(escape_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
