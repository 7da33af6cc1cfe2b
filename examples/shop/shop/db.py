"""Database set-up, SQLAlchemy 2.0 style."""

from sqlalchemy import create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://shop@localhost/shop")
SessionLocal = sessionmaker(bind=engine)

async_engine = create_async_engine("postgresql+asyncpg://shop@localhost/shop")
AsyncSessionLocal = async_sessionmaker(async_engine)


def orders_query(customer_id: int):
    return select("orders").where("customer_id" == customer_id)
