FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY parcours ./parcours
COPY workflows ./workflows
COPY activities ./activities
COPY states ./states
RUN pip install --no-cache-dir .
RUN useradd --create-home parcours
USER parcours
CMD ["parcours-worker"]
