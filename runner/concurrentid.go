package runner

import (
	"sync"

	"kuberunner/executors"
)

// concurrentIDs numbers one runner's running jobs for CI_CONCURRENT_ID and
// CI_CONCURRENT_PROJECT_ID: each job takes the lowest index no other
// running job of the runner holds, and, per project, the lowest no other
// running job of the same project holds. An index is free again once its
// job is reported. Jobs use them to pick per-slot resources (a port, a
// database) that do not collide while they run at the same time.
type concurrentIDs struct {
	mu      sync.Mutex
	runner  map[int]bool
	project map[int64]map[int]bool
}

// take gives the next job of project its slot.
func (c *concurrentIDs) take(project int64) executors.Slot {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runner == nil {
		c.runner, c.project = map[int]bool{}, map[int64]map[int]bool{}
	}
	if c.project[project] == nil {
		c.project[project] = map[int]bool{}
	}
	return executors.Slot{ID: lowestFree(c.runner), ProjectID: lowestFree(c.project[project])}
}

// release frees what take gave.
func (c *concurrentIDs) release(project int64, s executors.Slot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runner, s.ID)
	delete(c.project[project], s.ProjectID)
	if len(c.project[project]) == 0 {
		delete(c.project, project)
	}
}

// lowestFree marks the lowest index not in used as used and returns it.
func lowestFree(used map[int]bool) int {
	i := 0
	for used[i] {
		i++
	}
	used[i] = true
	return i
}
