"""Grading infrastructure for instructors (nbgrader preprocessors, checks, class tools).

Not shipped to students (coursekit.grading.edition leaves this folder out).

* ``sealed``: the hidden tests' sealed runner; ``inline``: pastes it into test cells when grading
* ``feedback``: feedback that never shows a hidden test
* ``scan``: the submission scan and the test-cell tamper check
"""

# The class cycle (README "For instructors"):
# * ``execute``: autograding that survives a dying or stuck kernel (GuardedExecute, FlagFaults)
# * ``classroom``: ``coursekit grade``, parallel autograding with a per-student status report
# * ``lms``: ``nbgrader zip_collect`` plugins for Canvas and Moodle archives
# * ``edition``: ``coursekit student-edition``, what students receive
