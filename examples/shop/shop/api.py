"""HTTP handlers."""

import asyncio
import json
import time

import boto3
import httpx
import requests
from sqlalchemy.ext.asyncio import AsyncSession

from shop.avatars import avatar_url, fetch_avatar
from shop.db import AsyncSessionLocal, SessionLocal, orders_query
from shop.workers import run_blocking

PAYMENTS_URL = "https://payments.example.com/v1/charges"


class ReceiptStore:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.s3 = boto3.client("s3")

    async def save(self, order_id: int, receipt: dict) -> None:
        body = json.dumps(receipt).encode()
        self.s3.put_object(Bucket=self.bucket, Key=f"receipts/{order_id}.json", Body=body)

    async def save_offloaded(self, order_id: int, receipt: dict) -> None:
        body = json.dumps(receipt).encode()
        await run_blocking(self.s3.put_object, Bucket=self.bucket, Key=f"{order_id}.json", Body=body)


async def charge(order_id: int, amount: int) -> dict:
    response = requests.post(PAYMENTS_URL, json={"order": order_id, "amount": amount}, timeout=10)
    return response.json()


async def charge_async(order_id: int, amount: int) -> dict:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(PAYMENTS_URL, json={"order": order_id, "amount": amount})
    return response.json()


async def list_orders(customer_id: int) -> list:
    with SessionLocal() as session:
        rows = session.execute(orders_query(customer_id)).all()
    return list(rows)


async def list_orders_async(customer_id: int) -> list:
    async with AsyncSessionLocal() as session:
        rows = (await session.execute(orders_query(customer_id))).all()
    return list(rows)


async def wait_for_stock(retries: int = 3) -> None:
    for _ in range(retries):
        time.sleep(0.5)
        await asyncio.sleep(0.5)


async def export_report(path: str, rows: list) -> None:
    with open(path, "w") as handle:
        json.dump(rows, handle)


async def load_template(path: str) -> str:
    return await asyncio.to_thread(read_template, path)


def read_template(path: str) -> str:
    with open(path) as handle:
        return handle.read()


async def show_avatar(user_id: int) -> bytes:
    return fetch_avatar(user_id)


async def show_avatar_offloaded(user_id: int) -> bytes:
    return await asyncio.to_thread(fetch_avatar, user_id)


async def avatar_link(user_id: int) -> str:
    return avatar_url(user_id)
