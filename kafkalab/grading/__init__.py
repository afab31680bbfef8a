"""Grading learner notebooks: ``kafkalab check`` for one learner, ``kafkalab grade`` for a class.

Both run each notebook in a fresh kernel with the kit's own checks (:mod:`.run`), grading by
exercise name (:mod:`.kit`, :mod:`.plan`); ``grade`` then writes a gradebook and feedback pages.
"""
