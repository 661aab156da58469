"""Reports: what the stored findings say, written for people and for other programs."""
