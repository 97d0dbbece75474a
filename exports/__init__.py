"""What leaves the app for a meeting: chart images, table files, the committee deck."""
