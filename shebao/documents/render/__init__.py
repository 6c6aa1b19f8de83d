"""Rendering documents to PDF (ReportLab), kept apart from assembling their facts."""
