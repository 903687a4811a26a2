#include "cli/stop_signal.hpp"

#include <unistd.h>

#include <csignal>

namespace newsmirror::cli {

namespace {

std::atomic<bool> g_stop{false};
// Feeds being fetched right now (the fetch stage's total minus done).
std::atomic<long> g_in_flight{0};
std::atomic<bool> g_waiting{false};

// Only async-signal-safe calls here: write(2) and a hand-made number.
void say(const char* text) {
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  (void)!::write(STDERR_FILENO, text, n);
}

void say_number(long value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 23);
  char out[24];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  say(out);
}

extern "C" void on_stop_signal(int signal_number) {
  g_stop.store(true);
  std::signal(signal_number, SIG_DFL);
  const long in_flight = g_in_flight.load();
  if (g_waiting.load()) {
    say("\nnewsmirror: stopping\n");
  } else if (in_flight > 0) {
    say("\nnewsmirror: stopping: finishing ");
    say_number(in_flight);
    say(in_flight == 1 ? " transfer" : " transfers");
    say(" in flight (at most 5 s) and writing what came — press Ctrl-C again to stop now\n");
  } else {
    say("\nnewsmirror: stopping after this cycle's writes — press Ctrl-C again to stop now\n");
  }
}

}  // namespace

StopOnSignal::StopOnSignal() {
  g_stop.store(false);
  g_in_flight.store(0);
  g_waiting.store(false);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopOnSignal::~StopOnSignal() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>* StopOnSignal::flag() const { return &g_stop; }
bool StopOnSignal::requested() const { return g_stop.load(); }
void StopOnSignal::set_waiting(bool waiting) { g_waiting.store(waiting); }

std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)> StopOnSignal::counting(
    std::function<void(std::string_view, std::size_t, std::size_t, std::string_view)> inner) const {
  return [inner = std::move(inner)](std::string_view stage, std::size_t done, std::size_t total,
                                    std::string_view item) {
    g_in_flight.store(stage == "fetch" ? static_cast<long>(total - done) : 0);
    if (inner) inner(stage, done, total, item);
  };
}

}  // namespace newsmirror::cli
