//! CPU topology discovery: logical/physical CPUs, caches, NUMA nodes,
//! affinity and cgroup CPU quota.
//!
//! Each source is reported separately (see `Sources`) because they disagree
//! in containers: sysfs shows the host's CPUs, the affinity mask shows what we
//! may run on, and the cgroup quota shows how much time we get. Missing or
//! unreadable files are never errors; they only make a source fall back.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub struct NumaNode {
  pub id: u32,
  pub cpus: Vec<u32>,
  pub memory_bytes: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Caches {
  pub l1d: u64,
  pub l2: u64,
  pub l3: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sources {
  /// Online CPUs according to sysfs (0 if sysfs did not answer).
  pub sysfs_cpus: u32,
  /// CPUs in the affinity mask.
  pub affinity: u32,
  /// `std::thread::available_parallelism` (itself affinity- and quota-aware).
  pub available_parallelism: u32,
  pub cgroup: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
  pub source: &'static str,
  pub logical_cpus: u32,
  pub physical_cores: u32,
  pub packages: u32,
  pub numa_nodes: Vec<NumaNode>,
  pub caches: Caches,
  pub simd: Vec<String>,
  pub affinity_cpus: Vec<u32>,
  pub cgroup_cpu_limit: Option<f64>,
  pub recommended_threads: u32,
  pub sources: Sources,
}

/// Where to look. Tests point `root` at a fake tree and disable syscalls.
pub struct Probe {
  pub root: PathBuf,
  pub use_syscalls: bool,
}

/// Topology of the running process.
pub fn detect() -> Topology {
  Probe { root: PathBuf::from("/"), use_syscalls: true }.detect()
}

/// `recommended_threads` given the affinity count and the cgroup quota.
pub fn recommend(affinity: u32, cgroup: Option<f64>) -> u32 {
  let mut n = affinity.max(1);
  if let Some(limit) = cgroup {
    if limit.is_finite() && limit > 0.0 {
      n = n.min(limit.ceil().min(u32::MAX as f64) as u32);
    }
  }
  n.max(1)
}

impl Probe {
  fn read(&self, rel: &str) -> Option<String> {
    fs::read_to_string(self.root.join(rel)).ok()
  }

  fn read_path(&self, path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
  }

  pub fn detect(&self) -> Topology {
    let available = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);

    let sysfs_online = self.online_cpus();
    let source = if sysfs_online.is_some() { "sysfs" } else { "std" };
    let cpus: Vec<u32> = sysfs_online.clone().unwrap_or_else(|| (0..available).collect());
    let logical_cpus = cpus.len().max(1) as u32;

    let (physical_cores, packages) = self.cores_and_packages(&cpus).unwrap_or((logical_cpus, 1));
    let affinity_cpus = self.affinity().unwrap_or_else(|| cpus.clone());
    let cgroup_cpu_limit = self.cgroup_limit();
    let recommended_threads = recommend(affinity_cpus.len() as u32, cgroup_cpu_limit);

    Topology {
      source,
      logical_cpus,
      physical_cores,
      packages,
      numa_nodes: self.numa_nodes(&cpus),
      caches: self.caches(),
      simd: crate::simd::features(),
      recommended_threads,
      sources: Sources {
        sysfs_cpus: sysfs_online.map_or(0, |c| c.len() as u32),
        affinity: affinity_cpus.len() as u32,
        available_parallelism: available,
        cgroup: cgroup_cpu_limit,
      },
      affinity_cpus,
      cgroup_cpu_limit,
    }
  }

  fn online_cpus(&self) -> Option<Vec<u32>> {
    if let Some(list) = self.read("sys/devices/system/cpu/online").and_then(|s| parse_cpulist(&s)) {
      if !list.is_empty() {
        return Some(list);
      }
    }
    // Older/odd kernels: count cpuN directories instead.
    let dir = fs::read_dir(self.root.join("sys/devices/system/cpu")).ok()?;
    let mut ids: Vec<u32> =
      dir.filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("cpu")?.parse().ok()).collect();
    ids.sort_unstable();
    (!ids.is_empty()).then_some(ids)
  }

  /// Physical cores = distinct SMT sibling sets; packages = distinct package
  /// ids. Falls back to (package, core_id) pairs where sibling lists are absent.
  fn cores_and_packages(&self, cpus: &[u32]) -> Option<(u32, u32)> {
    let mut siblings = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut pkgs = BTreeSet::new();
    let (mut have_siblings, mut have_pairs) = (true, true);
    for cpu in cpus {
      let base = format!("sys/devices/system/cpu/cpu{cpu}/topology");
      let sib = self
        .read(&format!("{base}/core_cpus_list"))
        .or_else(|| self.read(&format!("{base}/thread_siblings_list")))
        .and_then(|s| parse_cpulist(&s));
      match sib {
        Some(s) => {
          siblings.insert(s);
        }
        None => have_siblings = false,
      }
      let pkg = self.read(&format!("{base}/physical_package_id")).and_then(|s| s.trim().parse::<i64>().ok());
      let core = self.read(&format!("{base}/core_id")).and_then(|s| s.trim().parse::<i64>().ok());
      match (pkg, core) {
        (Some(p), Some(c)) => {
          pkgs.insert(p);
          pairs.insert((p, c));
        }
        _ => have_pairs = false,
      }
    }
    let cores = if have_siblings && !siblings.is_empty() {
      siblings.len()
    } else if have_pairs && !pairs.is_empty() {
      pairs.len()
    } else {
      return None;
    };
    let packages = if have_pairs && !pkgs.is_empty() { pkgs.len() } else { 1 };
    Some((cores as u32, packages as u32))
  }

  fn caches(&self) -> Caches {
    let mut caches = Caches::default();
    let Ok(dir) = fs::read_dir(self.root.join("sys/devices/system/cpu/cpu0/cache")) else {
      return caches;
    };
    for entry in dir.flatten() {
      let path = entry.path();
      let is_index = entry.file_name().to_str().is_some_and(|n| n.starts_with("index"));
      if !is_index {
        continue;
      }
      let level = self.read_path(&path.join("level")).and_then(|s| s.trim().parse::<u32>().ok());
      let kind = self.read_path(&path.join("type")).unwrap_or_default();
      let size = self.read_path(&path.join("size")).and_then(|s| parse_size(&s));
      let (Some(level), Some(size)) = (level, size) else { continue };
      match (level, kind.trim()) {
        (1, "Data") | (1, "Unified") => caches.l1d = caches.l1d.max(size),
        (2, _) => caches.l2 = caches.l2.max(size),
        (3, _) => caches.l3 = caches.l3.max(size),
        _ => {}
      }
    }
    caches
  }

  fn numa_nodes(&self, cpus: &[u32]) -> Vec<NumaNode> {
    let mut nodes = Vec::new();
    if let Ok(dir) = fs::read_dir(self.root.join("sys/devices/system/node")) {
      for entry in dir.flatten() {
        let Some(id) =
          entry.file_name().to_str().and_then(|n| n.strip_prefix("node")).and_then(|n| n.parse::<u32>().ok())
        else {
          continue;
        };
        let path = entry.path();
        let cpus = self.read_path(&path.join("cpulist")).and_then(|s| parse_cpulist(&s)).unwrap_or_default();
        let memory_bytes = self
          .read_path(&path.join("meminfo"))
          .and_then(|s| meminfo_kb(&s, "MemTotal:"))
          .map_or(0, |kb| kb.saturating_mul(1024));
        nodes.push(NumaNode { id, cpus, memory_bytes });
      }
    }
    if nodes.is_empty() {
      let memory_bytes =
        self.read("proc/meminfo").and_then(|s| meminfo_kb(&s, "MemTotal:")).map_or(0, |kb| kb.saturating_mul(1024));
      nodes.push(NumaNode { id: 0, cpus: cpus.to_vec(), memory_bytes });
    }
    nodes.sort_by_key(|n| n.id);
    nodes
  }

  fn affinity(&self) -> Option<Vec<u32>> {
    if self.use_syscalls {
      if let Some(cpus) = sched_affinity() {
        return Some(cpus);
      }
    }
    // Also covers masks wider than libc's fixed 1024-CPU cpu_set_t.
    let status = self.read("proc/self/status")?;
    let line = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
    parse_cpulist(line).filter(|c| !c.is_empty())
  }

  /// Effective CPU quota in CPUs (e.g. 1.5), or None when unlimited/unknown.
  /// The tightest limit along the cgroup path wins, as in the kernel.
  fn cgroup_limit(&self) -> Option<f64> {
    let membership = self.read("proc/self/cgroup").unwrap_or_default();
    let cg_root = self.root.join("sys/fs/cgroup");

    // cgroup v2: "0::/some/path".
    if cg_root.join("cgroup.controllers").exists() {
      let rel = membership.lines().find_map(|l| l.strip_prefix("0::")).unwrap_or("/");
      return min_along_path(&cg_root, rel, |dir| parse_cpu_max(&self.read_path(&dir.join("cpu.max"))?));
    }

    // cgroup v1: "N:cpu,cpuacct:/some/path".
    let rel = membership
      .lines()
      .find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
        ctrls.split(',').any(|c| c == "cpu").then_some(path)
      })
      .unwrap_or("/");
    ["cpu", "cpu,cpuacct", "cpuacct,cpu"].iter().map(|m| cg_root.join(m)).filter(|m| m.is_dir()).find_map(|mount| {
      min_along_path(&mount, rel, |dir| {
        let quota: f64 = self.read_path(&dir.join("cpu.cfs_quota_us"))?.trim().parse().ok()?;
        let period: f64 = self.read_path(&dir.join("cpu.cfs_period_us"))?.trim().parse().ok()?;
        (quota > 0.0 && period > 0.0).then(|| quota / period)
      })
    })
  }
}

/// Applies `limit` to `mount/rel` and each ancestor up to `mount`, returning
/// the smallest limit found. Ancestors that do not exist (a container whose
/// cgroup mount is already its own subtree) are simply skipped.
fn min_along_path(mount: &Path, rel: &str, limit: impl Fn(&Path) -> Option<f64>) -> Option<f64> {
  // Paths from another cgroup namespace can contain ".."; only our mount counts.
  let rel = rel.trim().trim_start_matches('/');
  let rel = if rel.split('/').any(|c| c == "..") { "" } else { rel };
  let mut dir = mount.join(rel);
  let mut best: Option<f64> = None;
  loop {
    if let Some(l) = limit(&dir) {
      best = Some(best.map_or(l, |b: f64| b.min(l)));
    }
    if dir == mount || !dir.pop() || !dir.starts_with(mount) {
      break;
    }
  }
  best
}

#[cfg(target_os = "linux")]
fn sched_affinity() -> Option<Vec<u32>> {
  // SAFETY: cpu_set_t is plain data; the kernel writes at most its size.
  unsafe {
    let mut set: libc::cpu_set_t = std::mem::zeroed();
    if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
      return None;
    }
    let cpus: Vec<u32> =
      (0..libc::CPU_SETSIZE as usize).filter(|&i| libc::CPU_ISSET(i, &set)).map(|i| i as u32).collect();
    (!cpus.is_empty()).then_some(cpus)
  }
}

#[cfg(not(target_os = "linux"))]
fn sched_affinity() -> Option<Vec<u32>> {
  None
}

/// "0-3,8,10-11" → [0,1,2,3,8,10,11]. Malformed → None; empty → Some([]).
pub fn parse_cpulist(s: &str) -> Option<Vec<u32>> {
  // Bounds the allocation if a file is corrupt ("0-4294967295").
  const MAX_CPUS: u64 = 1 << 16;
  let mut out = Vec::new();
  for part in s.trim().split(',').map(str::trim).filter(|p| !p.is_empty()) {
    let (lo, hi) = match part.split_once('-') {
      Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
      None => {
        let v = part.parse::<u32>().ok()?;
        (v, v)
      }
    };
    if hi < lo || out.len() as u64 + (hi - lo) as u64 >= MAX_CPUS {
      return None;
    }
    out.extend(lo..=hi);
  }
  out.sort_unstable();
  out.dedup();
  Some(out)
}

/// sysfs cache sizes: "32K", "1024K", "32M", or plain bytes.
pub fn parse_size(s: &str) -> Option<u64> {
  let s = s.trim();
  let (digits, mult) = match s.chars().last()? {
    'K' | 'k' => (&s[..s.len() - 1], 1u64 << 10),
    'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
    'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
    _ => (s, 1),
  };
  digits.trim().parse::<u64>().ok()?.checked_mul(mult)
}

/// cgroup v2 cpu.max: "max 100000" → None, "150000 100000" → 1.5.
pub fn parse_cpu_max(s: &str) -> Option<f64> {
  let mut it = s.split_whitespace();
  let quota = it.next()?;
  let period: f64 = it.next().map_or(Some(100_000.0), |p| p.parse().ok())?;
  if quota == "max" {
    return None;
  }
  let quota: f64 = quota.parse().ok()?;
  (quota > 0.0 && period > 0.0).then(|| quota / period)
}

/// Value in kB of `key` in /proc/meminfo ("MemTotal: N kB") or a node
/// meminfo ("Node 0 MemTotal: N kB").
fn meminfo_kb(s: &str, key: &str) -> Option<u64> {
  s.lines().find_map(|l| {
    let rest = &l[l.find(key)? + key.len()..];
    rest.split_whitespace().next()?.parse().ok()
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn parsers() {
    assert_eq!(parse_cpulist("0-3,8,10-11\n"), Some(vec![0, 1, 2, 3, 8, 10, 11]));
    assert_eq!(parse_cpulist(""), Some(vec![]));
    assert_eq!(parse_cpulist("3-1"), None);
    assert_eq!(parse_cpulist("0-4294967295"), None);
    assert_eq!(parse_cpulist("x"), None);
    assert_eq!(parse_size("32K\n"), Some(32 * 1024));
    assert_eq!(parse_size("1024K"), Some(1 << 20));
    assert_eq!(parse_size("32M"), Some(32 << 20));
    assert_eq!(parse_size("512"), Some(512));
    assert_eq!(parse_size(""), None);
    assert_eq!(parse_cpu_max("max 100000\n"), None);
    assert_eq!(parse_cpu_max("150000 100000\n"), Some(1.5));
    assert_eq!(meminfo_kb("Node 0 MemTotal:       16318888 kB\n", "MemTotal:"), Some(16318888));
    assert_eq!(recommend(8, Some(1.5)), 2);
    assert_eq!(recommend(2, Some(16.0)), 2);
    assert_eq!(recommend(0, None), 1);
    assert_eq!(recommend(4, Some(0.1)), 1);
  }

  fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
  }

  fn temp_root(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("hotpath-topo-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    root
  }

  #[test]
  fn fake_sysfs_two_sockets_smt() {
    let root = temp_root("smt");
    write(&root, "sys/devices/system/cpu/online", "0-7\n");
    for cpu in 0..8u32 {
      let base = format!("sys/devices/system/cpu/cpu{cpu}/topology");
      // cpu n and n+4 are SMT siblings; package = (n % 4) / 2.
      let core = cpu % 4;
      write(&root, &format!("{base}/core_cpus_list"), &format!("{},{}\n", core, core + 4));
      write(&root, &format!("{base}/physical_package_id"), &format!("{}\n", core / 2));
      write(&root, &format!("{base}/core_id"), &format!("{}\n", core % 2));
    }
    for (i, (level, kind, size)) in
      [(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "2048K"), (3, "Unified", "30M")].iter().enumerate()
    {
      let base = format!("sys/devices/system/cpu/cpu0/cache/index{i}");
      write(&root, &format!("{base}/level"), &format!("{level}\n"));
      write(&root, &format!("{base}/type"), &format!("{kind}\n"));
      write(&root, &format!("{base}/size"), &format!("{size}\n"));
    }
    write(&root, "sys/devices/system/node/node0/cpulist", "0-1,4-5\n");
    write(&root, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:  1024 kB\n");
    write(&root, "sys/devices/system/node/node1/cpulist", "2-3,6-7\n");
    write(&root, "sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:  2048 kB\n");
    write(&root, "proc/self/status", "Name:\tx\nCpus_allowed_list:\t0-5\n");
    write(&root, "proc/self/cgroup", "0::/app\n");
    write(&root, "sys/fs/cgroup/cgroup.controllers", "cpu\n");
    write(&root, "sys/fs/cgroup/cpu.max", "max 100000\n");
    write(&root, "sys/fs/cgroup/app/cpu.max", "250000 100000\n");

    let t = Probe { root: root.clone(), use_syscalls: false }.detect();
    assert_eq!(t.source, "sysfs");
    assert_eq!((t.logical_cpus, t.physical_cores, t.packages), (8, 4, 2));
    assert_eq!(t.caches, Caches { l1d: 48 << 10, l2: 2 << 20, l3: 30 << 20 });
    assert_eq!(t.numa_nodes.len(), 2);
    assert_eq!(t.numa_nodes[1], NumaNode { id: 1, cpus: vec![2, 3, 6, 7], memory_bytes: 2 << 20 });
    assert_eq!(t.affinity_cpus, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(t.cgroup_cpu_limit, Some(2.5));
    assert_eq!(t.recommended_threads, 3);
    assert_eq!(t.sources.sysfs_cpus, 8);
    assert_eq!(t.sources.affinity, 6);
    let _ = fs::remove_dir_all(&root);
  }

  #[test]
  fn empty_root_falls_back_without_error() {
    let root = temp_root("empty");
    let t = Probe { root: root.clone(), use_syscalls: false }.detect();
    assert_eq!(t.source, "std");
    assert!(t.logical_cpus >= 1 && t.recommended_threads >= 1);
    assert_eq!(t.numa_nodes.len(), 1);
    assert_eq!(t.numa_nodes[0].memory_bytes, 0);
    assert_eq!(t.caches, Caches::default());
    assert_eq!(t.cgroup_cpu_limit, None);
    assert_eq!(t.sources.sysfs_cpus, 0);
    let _ = fs::remove_dir_all(&root);
  }

  #[test]
  fn cgroup_v1_quota() {
    let root = temp_root("v1");
    write(&root, "proc/self/cgroup", "4:cpu,cpuacct:/docker/abc\n1:memory:/x\n");
    write(&root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    write(&root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    write(&root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
    write(&root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    let t = Probe { root: root.clone(), use_syscalls: false }.detect();
    assert_eq!(t.cgroup_cpu_limit, Some(0.5));
    assert_eq!(t.recommended_threads, 1);
    let _ = fs::remove_dir_all(&root);
  }

  #[test]
  fn live_detection_is_sane() {
    let t = detect();
    assert!(t.logical_cpus >= 1);
    assert!(t.physical_cores >= 1 && t.physical_cores <= t.logical_cpus);
    assert!(!t.affinity_cpus.is_empty());
    assert!(t.recommended_threads as usize <= t.affinity_cpus.len());
  }
}
