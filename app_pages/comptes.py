"""Comptes: the sign-in accounts of the store (administrator role, checked by the data
layer): the list (never a password hash), and the changes an administrator makes
(create, disable, enable, role, password), each one recorded in the audit log."""

import polars as pl
import streamlit as st

from sppe_data import accounts, reference, store
from sppe_data.auth import ROLE_LABELS, AccessDenied
from ui import signin

st.title("Comptes utilisateurs")
principal = signin.current()
st.caption(
    f"Mode de connexion : {signin.auth_mode()}. Comptes locaux (mot de passe) et comptes "
    "du fournisseur d'identité (créés à leur première connexion). En ligne de commande : "
    "sppe users add | list | disable | enable | set-role | set-password."
)
try:
    users = accounts.list_users(principal)
except (AccessDenied, store.StoreUnavailable) as exc:
    st.error(str(exc))
    st.stop()

SOURCES = {"local": "mot de passe", "oidc": "fournisseur d'identité"}
poles = dict(reference.poles().select("pole_code", "pole_label").iter_rows())
if users:
    st.dataframe(
        pl.DataFrame(users).select(
            pl.col("username").alias("Identifiant"),
            pl.col("name").alias("Nom"),
            pl.col("role").replace_strict(ROLE_LABELS, default="?").alias("Rôle"),
            pl.col("pole_code").replace_strict(poles, default="—").alias("Pôle"),
            pl.col("auth_source").replace_strict(SOURCES, default="?").alias("Connexion"),
            pl.when(pl.col("disabled")).then(pl.lit("désactivé"))
            .when(pl.col("locked")).then(pl.lit("verrouillé"))
            .otherwise(pl.lit("actif")).alias("État"),
            pl.col("locked_until").fill_null("—").alias("Verrouillé jusqu'à (UTC)"),
        ),
        hide_index=True,
        key="accounts_table",
    )  # fmt: skip
else:
    st.info("Aucun compte.")


def _done(message: str) -> None:
    st.session_state["accounts_notice"] = message
    st.rerun()


if st.session_state.get("accounts_notice"):
    st.success(st.session_state.pop("accounts_notice"))

create_tab, change_tab = st.tabs(["Créer un compte local", "Modifier un compte"])

with create_tab, st.form("account_create", clear_on_submit=True):
    username = st.text_input(
        "Identifiant", max_chars=64, help="Lettres minuscules, chiffres, . _ @ -"
    )
    name = st.text_input("Nom affiché", max_chars=200)
    role = st.selectbox("Rôle", list(ROLE_LABELS), format_func=ROLE_LABELS.get)
    pole = st.selectbox("Pôle (rôle pôle)", [None, *poles], format_func=lambda p: poles.get(p, "—"))
    password = st.text_input(
        "Mot de passe initial",
        type="password",
        max_chars=accounts.PASSWORD_MAX,
        help=f"Au moins {accounts.PASSWORD_MIN} caractères, difficile à deviner.",
        autocomplete="new-password",
    )
    if st.form_submit_button("Créer le compte", type="primary"):
        try:
            accounts.add_user(principal, username, password, role, pole, name)
        except (AccessDenied, accounts.AccountError, store.StoreUnavailable) as exc:
            st.error(str(exc))
        else:
            _done(f"Compte « {accounts.normalise_username(username)} » créé.")

with change_tab:
    if not users:
        st.info("Aucun compte à modifier.")
        st.stop()
    target = st.selectbox("Compte", [u["username"] for u in users], key="account_target")
    chosen = next(u for u in users if u["username"] == target)
    reactivate = chosen["disabled"] or chosen["locked"]
    actions = {
        "role": "Changer le rôle",
        "password": "Nouveau mot de passe",
        "toggle": "Réactiver" if reactivate else "Désactiver",
    }
    outcome = {
        "role": "rôle changé",
        "password": "mot de passe changé, sessions ouvertes fermées",
        "toggle": "réactivé" if reactivate else "désactivé, sessions ouvertes fermées",
    }
    if chosen["auth_source"] != "local":
        actions.pop("password")
    action = st.radio("Action", list(actions), format_func=actions.get, horizontal=True)
    with st.form("account_change"):
        if action == "role":
            new_role = st.selectbox(
                "Nouveau rôle", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                index=list(ROLE_LABELS).index(chosen["role"]),
            )  # fmt: skip
            new_pole = st.selectbox(
                "Pôle (rôle pôle)", [None, *poles], format_func=lambda p: poles.get(p, "—")
            )
        elif action == "password":
            new_password = st.text_input(
                "Nouveau mot de passe",
                type="password",
                max_chars=accounts.PASSWORD_MAX,
                autocomplete="new-password",
            )
        else:
            st.write(
                "Réactiver lève aussi un verrouillage. Désactiver ferme les sessions "
                "ouvertes du compte dès leur prochaine action."
            )
        if st.form_submit_button(actions[action], type="primary"):
            try:
                if action == "role":
                    accounts.set_role(principal, target, new_role, new_pole)
                elif action == "password":
                    accounts.set_password(principal, target, new_password)
                elif reactivate:
                    accounts.enable_user(principal, target)
                else:
                    accounts.disable_user(principal, target)
            except (AccessDenied, accounts.AccountError, store.StoreUnavailable) as exc:
                st.error(str(exc))
            else:
                _done(f"Compte « {target} » : {outcome[action]}.")
