// Max-min fair sharing of capacities among flows, by progressive filling (water-filling).
//
// Why max-min: it is what many TCP flows through shared bottlenecks converge to, to first order,
// and it is cheap to compute exactly. Every flow's rate rises at the same pace; when a resource
// (a node's upload or download) is full, the flows through it stop rising and keep the rate they
// reached; the others go on. The result: no flow can get more without taking from a flow that has
// no more than it.
//
// Each flow uses exactly two resources, the sender's upload and the receiver's download, which is
// all the network model needs (the core of the internet is assumed never to be the bottleneck).
// With a heap of "level at which this resource fills", the cost is O((F + R) log R) for F flows and
// R resources. Why a heap works: when flows freeze at level L on one resource, the fill level of
// every other resource they cross can only rise, so stale heap entries are merely skipped.
//
// Pure and deterministic: the same inputs in the same order give bit-identical rates. Scratch
// buffers are kept in the object so that a simulator recomputing thousands of times does not
// allocate each time.
#pragma once

#include <limits>

#include <cstdint>
#include <span>
#include <vector>

namespace agora::sim {

struct FairShareFlow {
    std::uint32_t first = 0;   // resource index, e.g. the sender's upload
    std::uint32_t second = 0;  // resource index, e.g. the receiver's download; may equal `first`
    // The flow's own limit (TCP's rate under loss); it stops rising there like at a full resource.
    double cap = std::numeric_limits<double>::infinity();
};

class FairShareSolver {
public:
    // capacity[r] > 0 in bytes/s for every resource r; every flow's resources < capacity.size().
    // Writes rates[f] for every flow f (rates.size() == flows.size()).
    void solve(std::span<const double> capacity, std::span<const FairShareFlow> flows, std::span<double> rates);

private:
    struct Level {
        double level;
        std::uint32_t resource;
        std::uint32_t version;
    };
    void push(std::uint32_t r);

    // Per resource: capacity not yet taken by frozen flows, and unfrozen flows through it.
    std::vector<double> remaining_;
    std::vector<std::uint32_t> unfrozen_;
    std::vector<std::uint32_t> version_;
    // Flows by resource, in compressed rows: flows of r are by_resource_[row_[r] .. row_[r + 1]).
    std::vector<std::uint32_t> row_;
    std::vector<std::uint32_t> by_resource_;
    std::vector<std::uint32_t> cursor_;
    std::vector<std::uint8_t> frozen_;
    std::vector<Level> heap_;
};

}  // namespace agora::sim
