#include "io/parallel.hpp"

namespace agora::io {

unsigned default_worker_count() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 2 : n;
}

}  // namespace agora::io
