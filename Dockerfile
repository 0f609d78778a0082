# Production image: gunicorn for the web, the same image runs celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
RUN useradd --system smdb && mkdir -p /app/var && chown smdb /app/var
USER smdb
EXPOSE 8000
CMD ["gunicorn", "smdb_web.wsgi:application", "--bind", "0.0.0.0:8000"]
