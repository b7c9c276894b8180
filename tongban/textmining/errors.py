"""Errors of the text-mining models; messages are Chinese and meant for the operator."""


class TrainingError(ValueError):
    """Bad training input or file; the message is Chinese and meant for the operator."""


class ModelFormatError(TrainingError):
    """Bytes given to `Classifier.loads` that are not a dispatch model of ours (or of another format version)."""
