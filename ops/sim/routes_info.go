package sim

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// handleKeyStatus is sys/key-status: the barrier key's term and install
// time, with the data keys repeated at the top level as a real 1.17.6
// answers. encryptions counts the cluster's storage writes (its WAL index),
// the nearest thing the lab has to barrier encryptions.
func handleKeyStatus(q *request) response {
	return q.injected(map[string]any{
		"term":         1,
		"install_time": q.c.clock(q.l.bootTime).UTC().Format(time.RFC3339Nano),
		"encryptions":  q.c.log.last,
	})
}

// handleVersionHistory is LIST sys/version-history: one entry, the version
// the cluster has run since the lab built it. That an Enterprise build keys
// it with "+ent" is inferred (the recording is of CE).
func handleVersionHistory(q *request) response {
	v := q.c.displayVersion()
	return q.logical(map[string]any{
		"keys": []string{v},
		"key_info": map[string]any{v: map[string]any{
			"build_date": "", "previous_version": nil,
			"timestamp_installed": q.c.clock(q.l.bootTime).UTC().Format(time.RFC3339),
		}},
	})
}

// The simulated machine every lab node runs on: two vCPUs, 8 GiB of memory
// and a 50 GiB root disk. sys/host-info reports it with the field names and
// JSON types a real 1.17.6 sends (Vault passes gopsutil's structs through).
const (
	hostCPUs      = 2
	hostMemory    = 8 << 30
	hostDisk      = 50 << 30
	hostDiskBase  = 3 << 30  // the operating system's share of the disk
	hostMemBase   = 96 << 20 // the Vault process at rest
	hostKeyBytes  = 4 << 10  // memory and disk per stored key, roughly
	hostWALBytes  = 512      // disk per WAL entry written
	hostCPUFlags  = "fpu vme de pse tsc msr pae mce cx8 apic sep pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm avx2 bmi1 bmi2 erms sha_ni"
	hostInodes    = 3276800
	hostInodeBase = 180000
)

// handleHostInfo is sys/host-info (https://developer.hashicorp.com/vault/api-docs/system/host-info):
// the active node's machine. Uptime counts from the lab's start on the
// cluster's clock, CPU time follows uptime, and memory and disk use grow
// with what the cluster stores and has written, so two clusters of one lab
// differ the way their data does.
func handleHostInfo(q *request) response {
	c := q.c
	now := c.clock(q.now)
	boot := c.clock(q.l.bootTime)
	up := now.Sub(boot).Seconds()
	if up < 0 {
		up = 0
	}
	keys := c.data.keyCount(false)
	cpus := make([]map[string]any, hostCPUs)
	times := make([]map[string]any, hostCPUs)
	for i := range hostCPUs {
		cpus[i] = map[string]any{
			"cacheSize": 1024, "coreId": strconv.Itoa(i), "cores": 1, "cpu": i, "family": "25",
			"flags": strings.Fields(hostCPUFlags), "mhz": 2445.406, "microcode": "", "model": "1",
			"modelName": "AMD EPYC 7B13", "physicalId": "0", "stepping": 0, "vendorId": "AuthenticAMD",
		}
		// A lightly loaded node: 4% user, 1% system, the rest idle.
		times[i] = map[string]any{
			"cpu": "cpu" + strconv.Itoa(i), "guest": 0, "guestNice": 0, "idle": round2(up * 0.95),
			"iowait": round2(up * 0.001), "irq": 0, "nice": 0, "softirq": round2(up * 0.001), "steal": 0,
			"system": round2(up * 0.01), "user": round2(up * 0.04),
		}
	}
	diskUsed := uint64(hostDiskBase) + keys*hostKeyBytes + c.log.last*hostWALBytes
	inodesUsed := uint64(hostInodeBase) + keys
	memUsed := uint64(hostMemBase) + keys*hostKeyBytes
	memFree := uint64(hostMemory) - memUsed
	name := nodeHost(c.name, 0)
	return q.logical(map[string]any{
		"cpu":       cpus,
		"cpu_times": times,
		"disk": []map[string]any{{
			"free": hostDisk - diskUsed, "fstype": "ext2/ext3", "inodesFree": hostInodes - inodesUsed,
			"inodesTotal": hostInodes, "inodesUsed": inodesUsed,
			"inodesUsedPercent": 100 * float64(inodesUsed) / hostInodes, "path": "/", "total": hostDisk,
			"used": diskUsed, "usedPercent": 100 * float64(diskUsed) / hostDisk,
		}},
		"host": map[string]any{
			"bootTime": boot.Unix(), "hostid": c.coreID, "hostname": name, "kernelArch": "x86_64",
			"kernelVersion": "6.1.0-25-cloud-amd64", "os": "linux", "platform": "debian",
			"platformFamily": "debian", "platformVersion": "12.7", "procs": 112, "uptime": uint64(up),
			"virtualizationRole": "guest", "virtualizationSystem": "",
		},
		"memory": map[string]any{
			"active": memUsed, "available": memFree, "buffers": 0, "cached": 0, "commitlimit": hostMemory / 2,
			"committedas": memUsed, "dirty": 0, "free": memFree, "highfree": 0, "hightotal": 0,
			"hugepagesfree": 0, "hugepagesize": 2 << 20, "hugepagestotal": 0, "inactive": 0, "laundry": 0,
			"lowfree": 0, "lowtotal": 0, "mapped": 0, "pagetables": 0, "shared": 0, "slab": 0,
			"sreclaimable": 0, "sunreclaim": 0, "swapcached": 0, "swapfree": 0, "swaptotal": 0,
			"total": hostMemory, "used": memUsed, "usedPercent": 100 * float64(memUsed) / hostMemory,
			"vmallocchunk": 0, "vmalloctotal": 0, "vmallocused": 0, "wired": 0, "writeback": 0, "writebacktmp": 0,
		},
		"timestamp": now.UTC().Format(time.RFC3339Nano),
	})
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
