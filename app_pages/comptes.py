"""Comptes: the accounts of the local sign-in mode (admin role). Accounts are added and
disabled with the command line; this page lists them, never a password hash."""

import polars as pl
import streamlit as st

from sppe_data import accounts
from sppe_data.auth import ROLE_LABELS
from ui import signin

st.title("Comptes utilisateurs")
st.caption(
    f"Mode de connexion : {signin.auth_mode()}. Comptes du mode local, gérés en ligne de "
    "commande : python -m sppe_data users add | list | disable."
)
try:
    users = accounts.list_users()
except accounts.AccountError as exc:
    st.error(str(exc))
    st.stop()
if not users:
    st.info("Aucun compte local.")
    st.stop()
st.dataframe(
    pl.DataFrame(users).select(
        pl.col("username").alias("Identifiant"),
        pl.col("name").alias("Nom"),
        pl.col("role").replace_strict(ROLE_LABELS, default="?").alias("Rôle"),
        pl.col("pole_code").alias("Pôle"),
        pl.when(pl.col("disabled")).then(pl.lit("désactivé")).otherwise(pl.lit("actif"))
        .alias("État"),
        pl.col("locked_until").alias("Verrouillé jusqu'à (UTC)"),
    ),
    hide_index=True,
)  # fmt: skip
