"""Code shared by the Quiz API, the Junior API and the restore job."""
