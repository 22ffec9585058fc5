package sim

import (
	"net/http"
	"time"
)

// The classroom's control routes: reset, the students and their exercise
// checklists.

// StudentSummary is a student's set as the control endpoint shows it.
type StudentSummary struct {
	Name     string   `json:"name"`
	Clusters []string `json:"clusters"`
}

func (l *Lab) classroomRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Student string `json:"student"`
		}
		if err := decodeControl(r, &body); err != nil {
			writeControlError(w, http.StatusBadRequest, err)
			return
		}
		if err := l.Reset(body.Student); err != nil {
			writeControlError(w, controlStatus(err), err)
			return
		}
		writeControl(w, http.StatusOK, map[string]any{"ok": true, "student": body.Student, "now": l.Now().UTC().Format(time.RFC3339)})
	})
	mux.HandleFunc("GET /students", func(w http.ResponseWriter, _ *http.Request) {
		out := []StudentSummary{}
		for _, s := range l.Students() {
			st := StudentSummary{Name: s.Name, Clusters: []string{}}
			for _, c := range s.Clusters {
				st.Clusters = append(st.Clusters, c.Name)
			}
			out = append(out, st)
		}
		writeControl(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /exercise", func(w http.ResponseWriter, r *http.Request) {
		p, err := l.Progress(r.URL.Query().Get("student"))
		if err != nil {
			writeControlError(w, controlStatus(err), err)
			return
		}
		if p == nil {
			p = []ExerciseProgress{}
		}
		writeControl(w, http.StatusOK, map[string]any{"exercise": l.opts.Exercise, "progress": p})
	})
}
