package runner

import (
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/executors"
)

func TestConcurrentIDs(t *testing.T) {
	type step struct {
		take    bool
		project int64
		slot    executors.Slot // wanted from take, given to release
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first job", []step{{take: true, project: 1, slot: executors.Slot{}}}},
		{"same project counts up in both", []step{
			{take: true, project: 1, slot: executors.Slot{ID: 0, ProjectID: 0}},
			{take: true, project: 1, slot: executors.Slot{ID: 1, ProjectID: 1}},
		}},
		{"another project starts its own count", []step{
			{take: true, project: 1, slot: executors.Slot{ID: 0, ProjectID: 0}},
			{take: true, project: 2, slot: executors.Slot{ID: 1, ProjectID: 0}},
		}},
		{"a freed index is reused, lowest first", []step{
			{take: true, project: 1, slot: executors.Slot{ID: 0, ProjectID: 0}},
			{take: true, project: 1, slot: executors.Slot{ID: 1, ProjectID: 1}},
			{take: true, project: 1, slot: executors.Slot{ID: 2, ProjectID: 2}},
			{project: 1, slot: executors.Slot{ID: 0, ProjectID: 0}},
			{take: true, project: 2, slot: executors.Slot{ID: 0, ProjectID: 0}},
			{take: true, project: 1, slot: executors.Slot{ID: 3, ProjectID: 0}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids concurrentIDs
			for i, s := range tt.steps {
				if !s.take {
					ids.release(s.project, s.slot)
					continue
				}
				require.Equal(t, s.slot, ids.take(s.project), "step %d", i)
			}
		})
	}
}

func TestConcurrentIDsReleaseAll(t *testing.T) {
	var ids concurrentIDs
	a, b := ids.take(7), ids.take(7)
	ids.release(7, a)
	ids.release(7, b)
	require.Empty(t, ids.runner)
	require.Empty(t, ids.project, "a project with no running job is forgotten")
}
